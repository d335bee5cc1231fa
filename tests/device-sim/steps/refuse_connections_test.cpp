#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(RefuseConnectionsStepTest, RefusesForTheDurationThenAcceptsAgain) {
  DeviceHarness h(with_script(R"([{"step": "refuse_connections", "for_ms": 2000}, {"step": "send", "message": {"type": "heartbeat"}}])"));
  h.start();
  EXPECT_EQ(h.device().listen_mode(), ListenMode::refusing);
  h.advance_ms(1999);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::refusing);
  h.advance_ms(1);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::accepting);
}

TEST(RefuseConnectionsStepTest, RefusesUntilAcceptConnectionsWithoutADuration) {
  DeviceHarness h(with_script(R"([{"step": "refuse_connections"}, {"step": "wait", "ms": 100}])"));
  h.start();
  h.advance_ms(100);
  EXPECT_TRUE(h.device().script_done());
  EXPECT_EQ(h.device().listen_mode(), ListenMode::refusing);
}

}  // namespace
}  // namespace iocpsim::devsim
