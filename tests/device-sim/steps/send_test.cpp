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
  DeviceHarness h(
      R"({"identity": {"device_id": "d-9"}, "script": [{"step": "send", "message": {"type": "hello_ack"}}]})");
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

TEST(SendStepTest, WaitsUntilTheSendQueueHasDrainedToItsLowWaterMark) {
  const std::string sixty_bytes(120, 'a');
  DeviceHarness h(
      R"({"send_queue": {"max_bytes": 100, "low_water_bytes": 20}, "script": [
      {"step": "send_hex", "hex": ")" +
      sixty_bytes + R"("}, {"step": "send_hex", "hex": ")" + sixty_bytes +
      R"("},
      {"step": "send", "message": {"type": "heartbeat", "nonce": 3}}]})");
  h.start();
  h.connect();
  EXPECT_EQ(h.wire.size(), 60u);  // the second 60 would take the queue past 100
  const auto full =
      std::find_if(h.log.begin(), h.log.end(), [](const auto& e) { return e["event"] == "send_queue_full"; });
  ASSERT_NE(full, h.log.end());
  EXPECT_EQ((*full)["by"], "script[1]");
  EXPECT_EQ((*full)["queued_bytes"], 60);
  h.transport_writes(30);  // 30 left: above the low-water mark
  EXPECT_EQ(h.wire.size(), 60u);
  h.transport_writes(10);  // 20 left: drained
  EXPECT_EQ(h.wire.size(), 120u);
  EXPECT_FALSE(h.device().script_done()) << "20 + 60 + a heartbeat's 28 bytes do not fit in 100";
  h.transport_writes_all();
  EXPECT_TRUE(h.device().script_done());
  EXPECT_EQ(h.device().record().sent_count(protocol::MessageType::heartbeat), 1u);
}

}  // namespace
}  // namespace iocpsim::devsim
