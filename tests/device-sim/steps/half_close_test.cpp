#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;
using testing::DeviceHarness;
using testing::with_script;

TEST(HalfCloseStepTest, ShutsDownWritingButKeepsReading) {
  DeviceHarness h(
      with_script(R"([{"step": "half_close"}, {"step": "expect", "message": {"type": "heartbeat", "nonce": 4}}])"));
  h.start();
  h.connect();
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::shutdown_write});
  EXPECT_TRUE(h.device().is_connected());
  h.host_sends(pr::Heartbeat{4});
  EXPECT_TRUE(h.frames.empty());  // nothing is written after the FIN
  EXPECT_TRUE(h.device().script_done());
  EXPECT_FALSE(h.device().script_failed());
}

}  // namespace
}  // namespace iocpsim::devsim
