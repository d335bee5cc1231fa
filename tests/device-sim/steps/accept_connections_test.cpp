#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(AcceptConnectionsStepTest, UndoesNeverAcceptAndRefuseConnections) {
  DeviceHarness h(with_script(R"([{"step": "never_accept"}, {"step": "wait", "ms": 10}, {"step": "accept_connections"},
                                   {"step": "refuse_connections"}, {"step": "wait", "ms": 10}, {"step": "accept_connections"}])"));
  h.start();
  EXPECT_EQ(h.device().listen_mode(), ListenMode::holding);
  h.advance_ms(10);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::refusing);
  h.advance_ms(10);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::accepting);
}

}  // namespace
}  // namespace iocpsim::devsim
