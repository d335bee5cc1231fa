#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(SayByeStepTest, SendsByeThenClosesGracefully) {
  DeviceHarness h(with_script(R"([{"step": "expect", "message": {"type": "hello"}},
                                   {"step": "say_bye", "reason": "restarting", "text": "update"}])"));
  testing::handshake(h);
  const auto bye = h.next_frame();
  EXPECT_EQ(bye["type"], "bye");
  EXPECT_EQ(bye["reason"], "restarting");
  EXPECT_EQ(bye["text"], "update");
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::close_graceful});
  EXPECT_FALSE(h.device().is_connected());
}

TEST(SayByeStepTest, StaysConnectedWhenCloseIsFalse) {
  DeviceHarness h(with_script(R"([{"step": "say_bye", "close": false}])"));
  testing::handshake(h);
  EXPECT_EQ(h.next_frame()["reason"], "normal");
  EXPECT_TRUE(h.ops.empty());
  EXPECT_TRUE(h.device().is_connected());
}

}  // namespace
}  // namespace iocpsim::devsim
