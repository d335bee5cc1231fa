// expect: matching fields, the time limit, and messages that came before the step.
#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;
using testing::DeviceHarness;
using testing::with_script;

TEST(ExpectStepTest, FinishesWhenAMessageWithTheListedFieldsArrives) {
  DeviceHarness h(with_script(R"([{"step": "expect", "message": {"type": "command", "opcode": 7}}])"));
  testing::handshake(h);
  h.host_sends(pr::Command{1, 6, {}});
  EXPECT_FALSE(h.device().script_done());
  h.host_sends(pr::Command{2, 7, {}});
  EXPECT_TRUE(h.device().script_done());
  EXPECT_FALSE(h.device().script_failed());
}

TEST(ExpectStepTest, FailsWhenNothingMatchesWithinTheLimit) {
  DeviceHarness h(with_script(R"([{"step": "expect", "message": {"type": "bye"}, "within_ms": 100}])"));
  testing::handshake(h);
  h.advance_ms(99);
  EXPECT_FALSE(h.device().script_done());
  h.advance_ms(1);
  EXPECT_TRUE(h.device().script_failed());
  EXPECT_NE(h.device().failure().find("script[0] (expect): no message matching"), std::string::npos)
      << h.device().failure();
  EXPECT_TRUE(h.logged("step_failed"));
}

TEST(ExpectStepTest, MatchesAMessageThatArrivedBeforeTheStepStarted) {
  DeviceHarness h(with_script(R"([{"step": "wait", "ms": 50},
                                   {"step": "expect", "message": {"type": "hello", "host_id": "early"}}])"));
  h.start();
  h.connect();
  h.host_sends(pr::Hello{1, 1, 0, "early"});
  h.advance_ms(50);
  EXPECT_TRUE(h.device().script_done());
  EXPECT_FALSE(h.device().script_failed());
}

TEST(ExpectStepTest, DoesNotMatchTheSameMessageTwice) {
  DeviceHarness h(with_script(R"([{"step": "expect", "message": {"type": "heartbeat"}},
                                   {"step": "expect", "message": {"type": "heartbeat"}, "within_ms": 10}])"));
  testing::handshake(h);
  h.host_sends(pr::Heartbeat{1});
  h.advance_ms(10);
  EXPECT_TRUE(h.device().script_failed());
}

}  // namespace
}  // namespace iocpsim::devsim
