#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;
using testing::DeviceHarness;
using testing::with_script;

TEST(AnswerNextCommandStepTest, AnswersOnlyTheNextMatchingCommandDifferently) {
  DeviceHarness h(with_script(R"([{"step": "answer_next_command", "opcode": 1, "status": "busy", "data": "0b"}])"));
  testing::handshake(h);
  h.host_sends(pr::Command{1, 2, {}});  // another opcode: the table answers
  EXPECT_EQ(h.next_frame()["status"], "unknown_opcode");
  h.host_sends(pr::Command{2, 1, {}});
  const auto overridden = h.next_frame();
  EXPECT_EQ(overridden["status"], "busy");
  EXPECT_EQ(overridden["data"], "0b");
  h.host_sends(pr::Command{3, 1, {}});
  EXPECT_EQ(h.next_frame()["status"], "ok");  // once only
}

TEST(AnswerNextCommandStepTest, DelaysTheAnswer) {
  DeviceHarness h(with_script(R"([{"step": "answer_next_command", "delay_ms": 300}])"));
  testing::handshake(h);
  h.host_sends(pr::Command{8, 1, {}});
  h.advance_ms(299);
  EXPECT_TRUE(h.frames.empty());
  h.advance_ms(1);
  EXPECT_EQ(h.next_frame()["request_id"], 8);
}

TEST(AnswerNextCommandStepTest, LeavesTheCommandUnansweredWhenReplyIsFalse) {
  DeviceHarness h(with_script(R"([{"step": "answer_next_command", "reply": false}])"));
  testing::handshake(h);
  h.host_sends(pr::Command{8, 1, {}});
  h.advance_ms(10'000);
  EXPECT_TRUE(h.frames.empty());
}

}  // namespace
}  // namespace iocpsim::devsim
