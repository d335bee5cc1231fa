#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::script_error;
using testing::with_script;

TEST(NeverAcceptStepTest, KeepsListeningWithoutAccepting) {
  DeviceHarness h(with_script(R"([{"step": "never_accept"}, {"step": "wait", "ms": 100000}])"));
  h.start();
  h.advance_ms(100000);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::holding);
}

TEST(NeverAcceptStepTest, WithheldHandshakesKeepTheKernelFromCompletingConnects) {
  if (!handshake_withholding_supported()) GTEST_SKIP() << "no handshake withholding on this platform";
  DeviceHarness h(
      with_script(R"([{"step": "never_accept", "handshake": "withheld"}, {"step": "wait", "ms": 100000}])"));
  h.start();
  h.advance_ms(100000);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::withholding);
}

TEST(NeverAcceptStepTest, ANameOtherThanCompleteOrWithheldIsRejectedAtItsPath) {
  const auto e = script_error(R"([{"step": "never_accept", "handshake": "withhold"}])");
  EXPECT_EQ(e.path(), "script[0].handshake");
  EXPECT_NE(std::string(e.what()).find("\"complete\", \"withheld\""), std::string::npos) << e.what();
}

TEST(NeverAcceptStepTest, WithheldHandshakesAreRejectedWhereThePlatformCannotWithholdThem) {
  if (handshake_withholding_supported()) GTEST_SKIP() << "this platform can withhold handshakes";
  const auto e = script_error(R"([{"step": "never_accept", "handshake": "withheld"}])");
  EXPECT_EQ(e.path(), "script[0].handshake");
  EXPECT_NE(std::string(e.what()).find("not supported on this platform"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace iocpsim::devsim
