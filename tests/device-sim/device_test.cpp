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

// The control API's hooks: steps run now beside a script that waits, and a script replaced.
TEST(DeviceTest, RunsStepsGivenNowBesideTheScriptWhichGoesOnWhereItIs) {
  DeviceHarness h(with_script(R"([{"step": "wait", "ms": 100}, {"step": "send_hex", "hex": "02"}])"));
  h.start();
  h.connect();
  h.device().run_now(nlohmann::json::parse(R"([{"step": "send_hex", "hex": "01"}, {"step": "wait", "ms": 10},
                                               {"step": "send_hex", "hex": "03"}])"),
                     "steps");
  h.collect();
  EXPECT_EQ(h.wire, (std::vector<std::uint8_t>{0x01}));
  EXPECT_EQ(h.device().control_steps_pending(), 1u);
  h.run_for_ms(10);
  EXPECT_EQ(h.wire, (std::vector<std::uint8_t>{0x01, 0x03}));
  EXPECT_EQ(h.device().control_steps_pending(), 0u);
  h.run_for_ms(90);
  EXPECT_EQ(h.wire, (std::vector<std::uint8_t>{0x01, 0x03, 0x02})) << "the script went on at its own pace";
  EXPECT_TRUE(h.device().script_done());
}

TEST(DeviceTest, AStepGivenNowThatIsInvalidIsRefusedWithItsPathAndChangesNothing) {
  DeviceHarness h("{}");
  h.start();
  EXPECT_THROW(h.device().run_now(nlohmann::json::parse(R"({"step": "stall", "for_ms": "soon"})"), "steps"), SpecError);
  EXPECT_EQ(h.device().control_steps_pending(), 0u);
  try {
    h.device().replace_script(nlohmann::json::parse(R"([{"step": "nope"}])"), "script");
    FAIL() << "an unknown step kind must be refused";
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find("script[0].step"), std::string::npos) << e.what();
  }
  EXPECT_STREQ(h.device().script_state_name(), "finished") << "the old script stays";
}

TEST(DeviceTest, AReplacedScriptStartsAgainFromItsFirstStep) {
  DeviceHarness h(with_script(R"([{"step": "send_hex", "hex": "01"}])"));
  h.start();
  h.connect();
  ASSERT_TRUE(h.device().script_done());
  h.device().replace_script(nlohmann::json::parse(R"([{"step": "send_hex", "hex": "0a0b"}])"), "script");
  h.collect();
  EXPECT_EQ(h.wire, (std::vector<std::uint8_t>{0x01, 0x0a, 0x0b}));
  EXPECT_TRUE(h.device().script_done());
  EXPECT_TRUE(h.logged("script_replaced"));
}

}  // namespace
}  // namespace iocpsim::devsim
