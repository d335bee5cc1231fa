#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(ResumeReadingStepTest, AsksTheTransportToReadAgain) {
  DeviceHarness h(with_script(R"([{"step": "stop_reading"}, {"step": "wait", "ms": 10}, {"step": "resume_reading"}])"));
  h.start();
  h.connect();
  h.advance_ms(10);
  EXPECT_EQ(h.ops, (std::vector<ConnectionOp>{ConnectionOp::pause_reading, ConnectionOp::resume_reading}));
  EXPECT_TRUE(h.device().is_reading());
}

}  // namespace
}  // namespace iocpsim::devsim
