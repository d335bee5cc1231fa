#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(ExpectCloseStepTest, FinishesWhenThePeerCloses) {
  DeviceHarness h(with_script(R"([{"step": "expect_close"}])"));
  h.start();
  h.connect();
  EXPECT_FALSE(h.device().script_done());
  h.host_closes();
  EXPECT_TRUE(h.device().script_done());
  EXPECT_FALSE(h.device().script_failed());
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::close_graceful});  // the device closes its side too
}

TEST(ExpectCloseStepTest, FailsWhenThePeerStaysConnected) {
  DeviceHarness h(with_script(R"([{"step": "expect_close", "within_ms": 50}])"));
  h.start();
  h.connect();
  h.advance_ms(50);
  EXPECT_TRUE(h.device().script_failed());
}

}  // namespace
}  // namespace iocpsim::devsim
