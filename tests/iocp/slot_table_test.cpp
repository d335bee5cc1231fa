// The handle table behind emulated ports and sockets.
#include "slot_table.hpp"

#include <gtest/gtest.h>

namespace iocpsim::iocp::detail {
namespace {

TEST(SlotTableTest, AReleasedSlotIsTheNextOneHandedOut) {
  SlotTable<int> table;
  const auto a = table.acquire();
  const auto b = table.acquire();
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  table.release(*a);
  EXPECT_EQ(table.acquire(), a) << "values come back like reused socket values";
}

TEST(SlotTableTest, AnObjectKeepsItsAddressWhileTheTableGrows) {
  SlotTable<int> table;
  const auto first = table.acquire();
  int* before = table.find(*first);
  for (int i = 0; i < 1000; ++i) table.acquire();
  EXPECT_EQ(table.find(*first), before);
}

TEST(SlotTableTest, SlotsNeverHandedOutAreNotFound) {
  SlotTable<int> table;
  EXPECT_EQ(table.find(0), nullptr);
  EXPECT_EQ(table.find(SlotTable<int>::kCapacity), nullptr);
}

}  // namespace
}  // namespace iocpsim::iocp::detail
