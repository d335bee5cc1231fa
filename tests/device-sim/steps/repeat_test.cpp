#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(RepeatStepTest, RunsItsStepsTheGivenNumberOfTimes) {
  DeviceHarness h(with_script(R"([{"step": "repeat", "times": 3, "steps": [
                                     {"step": "raise_event", "code": 1}, {"step": "wait", "ms": 100}]}])"));
  h.start();
  h.connect();
  h.run_for_ms(1000);
  EXPECT_EQ(h.frames.size(), 3u);
  EXPECT_EQ(h.device().record().sent.back().at, std::chrono::milliseconds(200));
  EXPECT_TRUE(h.device().script_done());
}

TEST(RepeatStepTest, NamesTheInnerStepWhenItFails) {
  DeviceHarness h(with_script(R"([{"step": "repeat", "times": 2, "steps": [
                                     {"step": "expect", "message": {"type": "bye"}, "within_ms": 5}]}])"));
  h.start();
  h.advance_ms(5);
  EXPECT_TRUE(h.device().script_failed());
  EXPECT_NE(h.device().failure().find("script[0].steps[0] (expect)"), std::string::npos) << h.device().failure();
}

}  // namespace
}  // namespace iocpsim::devsim
