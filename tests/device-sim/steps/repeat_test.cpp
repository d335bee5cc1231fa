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

TEST(RepeatStepTest, ABodyThatNeverWaitsYieldsToTheTransportAfterABoundedNumberOfRounds) {
  // Four billion rounds of a zero wait used to run inside one call and hold the device's thread.
  DeviceHarness h(with_script(R"([{"step": "repeat", "times": 4000000000, "steps": [{"step": "wait", "ms": 0}]},
                                  {"step": "raise_event", "code": 1}])"));
  h.start();
  h.connect();
  // The step gave the thread back and asked to be woken at once to go on.
  ASSERT_TRUE(h.device().next_deadline().has_value());
  EXPECT_EQ(*h.device().next_deadline(), h.clock().now());
  EXPECT_FALSE(h.device().script_done());
  for (int turn = 0; turn < 10; ++turn) h.advance_ms(0);
  EXPECT_FALSE(h.device().script_done());
  EXPECT_TRUE(h.frames.empty());
}

TEST(RepeatStepTest, YieldingKeepsTheCountExact) {
  DeviceHarness h(with_script(R"([{"step": "repeat", "times": 1000, "steps": [{"step": "raise_event", "code": 1}]}])"));
  h.start();
  h.connect();
  for (int turn = 0; turn < 100 && !h.device().script_done(); ++turn) h.advance_ms(0);
  EXPECT_TRUE(h.device().script_done());
  EXPECT_EQ(h.frames.size(), 1000u);
}

}  // namespace
}  // namespace iocpsim::devsim
