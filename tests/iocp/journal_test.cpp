// The journal: a ring of fixed records, oldest first, overwriting and counting what it drops;
// through the shim every call is recorded with the injected clock and the rule that changed it.
#include "iocpsim/iocp/journal.hpp"

#include <gtest/gtest.h>

#include "fault_shim_fixture.hpp"

namespace iocpsim::iocp::testing {
namespace {

JournalEntry entry_at(std::int64_t time_us) {
  JournalEntry e;
  e.time_us = time_us;
  e.call = Call::WSARecv;
  return e;
}

TEST(JournalTest, KeepsEntriesOldestFirst) {
  Journal j(4);
  for (int i = 1; i <= 3; ++i) j.append(entry_at(i));
  const auto entries = j.entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].time_us, 1);
  EXPECT_EQ(entries[2].time_us, 3);
  EXPECT_EQ(j.dropped(), 0u);
}

TEST(JournalTest, AFullRingOverwritesTheOldestAndCountsThem) {
  Journal j(3);
  for (int i = 1; i <= 5; ++i) j.append(entry_at(i));
  const auto entries = j.entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].time_us, 3);
  EXPECT_EQ(entries[2].time_us, 5);
  EXPECT_EQ(j.dropped(), 2u);
  j.clear();
  EXPECT_TRUE(j.entries().empty());
}

TEST(JournalTest, APowerOfTwoRingWrapsTheSameWay) {  // indexed by mask, not by division
  for (const std::size_t capacity : {std::size_t{1}, std::size_t{2}, std::size_t{4}}) {
    Journal j(capacity);
    for (int i = 1; i <= 7; ++i) j.append(entry_at(i));
    const auto entries = j.entries();
    ASSERT_EQ(entries.size(), capacity);
    for (std::size_t k = 0; k < capacity; ++k) {
      EXPECT_EQ(entries[k].time_us, static_cast<std::int64_t>(7 - capacity + 1 + k));
    }
    EXPECT_EQ(j.dropped(), 7 - capacity);
  }
}

TEST(JournalTest, EntriesFromAMarkAreThoseAppendedSinceThatTheRingStillHolds) {
  Journal j(4);
  j.append(entry_at(1));
  const std::size_t mark = j.appended();
  EXPECT_EQ(mark, 1u);
  for (int i = 2; i <= 3; ++i) j.append(entry_at(i));
  auto since = j.entries(mark);
  ASSERT_EQ(since.size(), 2u);
  EXPECT_EQ(since[0].time_us, 2);
  EXPECT_EQ(since[1].time_us, 3);
  for (int i = 4; i <= 8; ++i) j.append(entry_at(i));
  since = j.entries(mark);  // 2 .. 4 were overwritten
  ASSERT_EQ(since.size(), 4u);
  EXPECT_EQ(since[0].time_us, 5);
  EXPECT_TRUE(j.entries(j.appended()).empty());
}

TEST(JournalTest, FormatNamesTheCallAndTheRuleThatChangedIt) {
  JournalEntry e = entry_at(42);
  e.rule = 2;
  e.outcome = Outcome::peer_reset;
  e.error = 64;
  const std::string line = Journal::format(e);
  EXPECT_NE(line.find("42 us WSARecv"), std::string::npos) << line;
  EXPECT_NE(line.find("err=64"), std::string::npos) << line;
  EXPECT_NE(line.find("[rule 2: peer_reset]"), std::string::npos) << line;
}

using JournalShimTest = FaultShimTest;

TEST_F(JournalShimTest, EveryCallIsRecordedWithTheInjectedTimeAndTheRuleThatChangedIt) {
  const Connection c = connect_pair();
  shim().journal().clear();
  shim().arm({fault(Outcome::peer_reset)});
  clock_.advance(std::chrono::microseconds{250});
  OVERLAPPED ov{};
  char buf[4];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).error, WSA_IO_PENDING);
  clock_.advance(std::chrono::microseconds{100});
  EXPECT_EQ(dequeue().error, ERROR_NETNAME_DELETED);
  const auto entries = shim().journal().entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].call, Call::WSARecv);
  EXPECT_EQ(entries[0].time_us, 250);
  EXPECT_EQ(entries[0].handle, c.engine);
  EXPECT_EQ(entries[0].overlapped, &ov);
  EXPECT_EQ(entries[0].arg, sizeof buf);
  EXPECT_EQ(entries[0].result, SOCKET_ERROR);
  EXPECT_EQ(entries[0].error, static_cast<std::uint32_t>(WSA_IO_PENDING));
  EXPECT_EQ(entries[0].rule, 0);
  EXPECT_EQ(entries[0].outcome, Outcome::peer_reset);
  EXPECT_EQ(entries[1].call, Call::GetQueuedCompletionStatus);
  EXPECT_EQ(entries[1].time_us, 350);
  EXPECT_EQ(entries[1].result, FALSE);
  EXPECT_EQ(entries[1].status, STATUS_CONNECTION_RESET);
  EXPECT_EQ(entries[1].key, c.key);
  EXPECT_EQ(entries[1].rule, 0);
}

TEST_F(JournalShimTest, EachEntryOfABatchIsRecordedAfterItsCall) {
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 1, 0xA, nullptr));
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 2, 0xB, nullptr));
  shim().journal().clear();
  OVERLAPPED_ENTRY entries[4]{};
  ULONG removed = 0;
  ASSERT_TRUE(shim().GetQueuedCompletionStatusEx(port(), entries, 4, &removed, kCeilingMs, FALSE));
  const auto journal = shim().journal().entries();
  ASSERT_EQ(journal.size(), 3u);
  EXPECT_TRUE(journal[0].batch_entry);
  EXPECT_EQ(journal[0].key, 0xAu);
  EXPECT_EQ(journal[1].key, 0xBu);
  EXPECT_FALSE(journal[2].batch_entry);
  EXPECT_EQ(journal[2].call, Call::GetQueuedCompletionStatusEx);
  EXPECT_EQ(journal[2].arg, 4u);
  EXPECT_EQ(journal[2].bytes, 2u);  // entries removed
}

TEST_F(JournalShimTest, CountsAddUpTheCallsOfEachKindAndTheWaitsThatTimedOut) {
  const CallCounts before = shim().counts();
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 0, 1, nullptr));
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 0, 2, nullptr));
  OVERLAPPED_ENTRY entries[4]{};
  ULONG removed = 0;
  ASSERT_TRUE(shim().GetQueuedCompletionStatusEx(port(), entries, 4, &removed, 0, FALSE));
  EXPECT_EQ(dequeue(0).error, WAIT_TIMEOUT);  // R2
  const CallCounts added = shim().counts().since(before);
  EXPECT_EQ(added[Call::PostQueuedCompletionStatus], 2u);
  EXPECT_EQ(added[Call::GetQueuedCompletionStatusEx], 1u);  // a call, not its two entries
  EXPECT_EQ(added[Call::GetQueuedCompletionStatus], 1u);
  EXPECT_EQ(added.timed_out_waits, 1u);
  EXPECT_EQ(shim().count(Call::PostQueuedCompletionStatus), before[Call::PostQueuedCompletionStatus] + 2);
  EXPECT_TRUE(shim().wait_posted_dequeued(std::chrono::milliseconds(0)));
}

TEST_F(JournalShimTest, JournalingCanBeTurnedOff) {
  shim().journal().clear();
  shim().set_journaling(false);
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 0, 1, nullptr));
  EXPECT_EQ(dequeue().key, 1u);
  EXPECT_TRUE(shim().journal().entries().empty());
  shim().set_journaling(true);
}

}  // namespace
}  // namespace iocpsim::iocp::testing
