#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(WaitForConnectionStepTest, FinishesOnceAConnectionIsUp) {
  DeviceHarness h(with_script(R"([{"step": "wait_for_connection", "within_ms": 100}])"));
  h.start();
  h.advance_ms(99);
  h.connect();
  EXPECT_TRUE(h.device().script_done());
  EXPECT_FALSE(h.device().script_failed());
}

TEST(WaitForConnectionStepTest, FailsWhenNoConnectionComesInTime) {
  DeviceHarness h(with_script(R"([{"step": "wait_for_connection", "within_ms": 100}])"));
  h.start();
  h.advance_ms(100);
  EXPECT_TRUE(h.device().script_failed());
  EXPECT_NE(h.device().failure().find("no connection within 100 ms"), std::string::npos);
}

}  // namespace
}  // namespace iocpsim::devsim
