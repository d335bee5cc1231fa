#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(NeverAcceptStepTest, KeepsListeningWithoutAccepting) {
  DeviceHarness h(with_script(R"([{"step": "never_accept"}, {"step": "wait", "ms": 100000}])"));
  h.start();
  h.advance_ms(100000);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::holding);
}

}  // namespace
}  // namespace iocpsim::devsim
