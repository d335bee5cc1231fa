#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(CloseStepTest, AsksForAGracefulCloseAfterWhatIsQueued) {
  DeviceHarness h(with_script(R"([{"step": "send", "message": {"type": "heartbeat"}}, {"step": "close"},
                                   {"step": "send", "message": {"type": "heartbeat", "nonce": 2}}])"));
  h.start();
  h.connect();
  EXPECT_EQ(h.frames.size(), 1u);
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::close_graceful});
  EXPECT_FALSE(h.device().is_connected());
  EXPECT_EQ(h.device().listen_mode(), ListenMode::accepting);  // ready for the next connection
  h.connect();                                                 // the third step runs on the next connection
  EXPECT_EQ(h.next_frame()["nonce"], 0);
  EXPECT_EQ(h.next_frame()["nonce"], 2);
}

}  // namespace
}  // namespace iocpsim::devsim
