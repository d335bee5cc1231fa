#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(ResetConnectionsStepTest, ResetsTheNextCountConnectionsThenServesTheNext) {
  DeviceHarness h(with_script(
      R"([{"step": "reset_connections", "count": 2}, {"step": "send", "message": {"type": "heartbeat"}}])"));
  h.start();
  h.connect();
  h.connect();
  EXPECT_EQ(h.ops, (std::vector<ConnectionOp>{ConnectionOp::reset, ConnectionOp::reset}));
  EXPECT_TRUE(h.frames.empty());
  h.connect();
  EXPECT_EQ(h.next_frame()["type"], "heartbeat");
  EXPECT_EQ(h.device().record().connections_accepted, 1u);
}

}  // namespace
}  // namespace iocpsim::devsim
