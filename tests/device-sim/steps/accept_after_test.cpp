#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(AcceptAfterStepTest, HoldsConnectionsInTheBacklogForTheDelay) {
  DeviceHarness h(with_script(R"([{"step": "accept_after", "delay_ms": 1500}])"));
  h.start();
  EXPECT_EQ(h.device().listen_mode(), ListenMode::holding);
  h.advance_ms(1499);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::holding);
  h.advance_ms(1);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::accepting);
  EXPECT_TRUE(h.device().script_done());
}

TEST(AcceptAfterStepTest, WithholdsHandshakesForTheDelayWhenAskedTo) {
  if (!handshake_withholding_supported()) GTEST_SKIP() << "no handshake withholding on this platform";
  DeviceHarness h(with_script(R"([{"step": "accept_after", "delay_ms": 1500, "handshake": "withheld"}])"));
  h.start();
  EXPECT_EQ(h.device().listen_mode(), ListenMode::withholding);
  h.advance_ms(1499);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::withholding);
  h.advance_ms(1);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::accepting);
}

}  // namespace
}  // namespace iocpsim::devsim
