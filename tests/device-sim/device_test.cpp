#include "iocpsim/devsim/device.hpp"

#include <gtest/gtest.h>

#include "device_harness.hpp"

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;
using testing::DeviceHarness;
using testing::with_script;

TEST(DeviceTest, AcceptsOneConnectionAtATime) {
  DeviceHarness h("{}");
  h.start();
  EXPECT_EQ(h.device().listen_mode(), ListenMode::accepting);
  h.connect();
  EXPECT_EQ(h.device().listen_mode(), ListenMode::holding);
  h.host_closes();
  EXPECT_EQ(h.device().listen_mode(), ListenMode::accepting);
}

TEST(DeviceTest, ClosesItsSideWhenThePeerCloses) {
  DeviceHarness h("{}");
  h.start();
  h.connect();
  h.host_closes();
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::close_graceful});
  EXPECT_TRUE(h.logged("peer_closed"));
}

TEST(DeviceTest, ForgetsALostConnectionWithoutAskingForAnything) {
  DeviceHarness h("{}");
  h.start();
  h.connect();
  h.device().on_connection_lost("connection reset by peer");
  h.collect();
  EXPECT_TRUE(h.ops.empty());
  EXPECT_FALSE(h.device().is_connected());
  EXPECT_TRUE(h.logged("connection_lost"));
}

TEST(DeviceTest, UsesTheSpecsSeedOverTheRunsSeed) {
  DeviceHarness own(R"({"seed": 5})", 1);
  EXPECT_EQ(own.device().seed(), 5u);
  DeviceHarness run("{}", 77);
  EXPECT_EQ(run.device().seed(), 77u);
}

TEST(DeviceTest, StampsEveryLogLineWithTimeAndName) {
  DeviceHarness h(R"({"name": "dev-a"})");
  h.start();
  h.advance_ms(3);
  h.connect();
  ASSERT_FALSE(h.log.empty());
  EXPECT_EQ(h.log.back()["device"], "dev-a");
  EXPECT_EQ(h.log.back()["t_us"], 3000);
  EXPECT_EQ(h.log.back()["event"], "connection_accepted");
}

TEST(DeviceTest, DropsBytesOnceWritingIsShutDown) {
  DeviceHarness h(with_script(R"([{"step": "half_close"}, {"step": "send", "message": {"type": "heartbeat"}}])"));
  h.start();
  h.connect();
  h.host_sends(pr::Heartbeat{1});
  EXPECT_TRUE(h.wire.empty());
  EXPECT_TRUE(h.device().script_done());
}

TEST(DeviceTest, NeedsNoDeadlineWhenNothingIsPending) {
  DeviceHarness h("{}");
  h.start();
  EXPECT_FALSE(h.device().next_deadline().has_value());
}

}  // namespace
}  // namespace iocpsim::devsim
