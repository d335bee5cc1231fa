#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(WaitStepTest, WaitsTheGivenDeviceTimeAndAsksToBeWokenThen) {
  DeviceHarness h(with_script(R"([{"step": "wait", "ms": 250}])"));
  h.start();
  ASSERT_TRUE(h.device().next_deadline().has_value());
  EXPECT_EQ(*h.device().next_deadline(), std::chrono::milliseconds(250));
  h.advance_ms(249);
  EXPECT_FALSE(h.device().script_done());
  h.advance_ms(1);
  EXPECT_TRUE(h.device().script_done());
}

}  // namespace
}  // namespace iocpsim::devsim
