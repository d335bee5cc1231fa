#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(StopReadingStepTest, AsksTheTransportToStopReading) {
  DeviceHarness h(with_script(R"([{"step": "stop_reading"}])"));
  h.start();
  h.connect();
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::pause_reading});
  EXPECT_FALSE(h.device().is_reading());
}

}  // namespace
}  // namespace iocpsim::devsim
