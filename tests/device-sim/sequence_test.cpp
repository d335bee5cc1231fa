#include "iocpsim/devsim/sequence.hpp"

#include <gtest/gtest.h>

#include "device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(SequenceTest, LogsEachStepStartingAndFinishingInOrder) {
  DeviceHarness h(with_script(R"([{"step": "wait", "ms": 1}, {"step": "never_accept"}])"));
  h.start();
  h.advance_ms(1);
  std::vector<std::string> seen;
  for (const auto& e : h.log) {
    if (e.contains("step")) seen.push_back(e["event"].get<std::string>() + " " + e["step"].get<std::string>());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"step_started script[0]", "step_done script[0]", "step_started script[1]",
                                            "step_done script[1]"}));
  EXPECT_TRUE(h.logged("script_finished"));
}

TEST(SequenceTest, DoesNotStartAStepThatNeedsAConnectionBeforeOneIsUp) {
  DeviceHarness h(with_script(R"([{"step": "reset"}])"));
  h.start();
  h.advance_ms(1000);
  EXPECT_FALSE(h.logged("step_started"));
  h.connect();
  EXPECT_TRUE(h.logged("step_started"));
}

TEST(SequenceTest, StopsAtAFailedStep) {
  DeviceHarness h(with_script(R"([{"step": "expect_close", "within_ms": 1}, {"step": "never_accept"}])"));
  h.start();
  h.advance_ms(1);
  EXPECT_TRUE(h.device().script_failed());
  EXPECT_EQ(h.device().listen_mode(), ListenMode::accepting);
}

}  // namespace
}  // namespace iocpsim::devsim
