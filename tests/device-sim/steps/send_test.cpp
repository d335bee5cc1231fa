#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(SendStepTest, SendsTheMessageWithTheGivenFields) {
  DeviceHarness h(with_script(
      R"([{"step": "send", "message": {"type": "event", "event_id": 9, "severity": "alarm", "code": 301, "text": "hot"}}])"));
  testing::handshake(h);
  const auto e = h.next_frame();
  EXPECT_EQ(e["type"], "event");
  EXPECT_EQ(e["event_id"], 9);
  EXPECT_EQ(e["severity"], "alarm");
  EXPECT_EQ(e["code"], 301);
  EXPECT_EQ(e["text"], "hot");
}

TEST(SendStepTest, FillsAHelloAckFromTheDeviceIdentity) {
  DeviceHarness h(R"({"identity": {"device_id": "d-9"}, "script": [{"step": "send", "message": {"type": "hello_ack"}}]})");
  h.start();
  h.connect();
  const auto ack = h.next_frame();
  EXPECT_EQ(ack["type"], "hello_ack");
  EXPECT_EQ(ack["device_id"], "d-9");
}

TEST(SendStepTest, WaitsForAConnectionBeforeSending) {
  DeviceHarness h(with_script(R"([{"step": "send", "message": {"type": "heartbeat", "nonce": 3}}])"));
  h.start();
  EXPECT_TRUE(h.frames.empty());
  EXPECT_FALSE(h.device().script_done());
  h.connect();
  EXPECT_EQ(h.next_frame()["nonce"], 3);
  EXPECT_TRUE(h.device().script_done());
}

}  // namespace
}  // namespace iocpsim::devsim
