#include "iocpsim/devsim/model.hpp"

#include <map>

#include <gtest/gtest.h>

#include "device_harness.hpp"

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;
using testing::DeviceHarness;
using testing::handshake;

const std::string kIdentity = R"({"identity": {"device_id": "pump-7", "serial": "SN-77", "firmware": "2.1.0",
                                               "heartbeat_interval_ms": 1500}})";

TEST(DeviceModelTest, AnswersHelloWithItsIdentity) {
  DeviceHarness h(kIdentity);
  h.start();
  h.connect();
  h.host_sends(pr::Hello{1, 1, pr::kCapTelemetry, "host-1"}, pr::kFlagReplyExpected);
  const auto ack = h.next_frame();
  EXPECT_EQ(ack["type"], "hello_ack");
  EXPECT_EQ(ack["version"], 1);
  EXPECT_EQ(ack["device_id"], "pump-7");
  EXPECT_EQ(ack["serial"], "SN-77");
  EXPECT_EQ(ack["firmware"], "2.1.0");
  EXPECT_EQ(ack["heartbeat_interval_ms"], 1500);
  EXPECT_TRUE(h.device().model_view().handshake_done());
}

TEST(DeviceModelTest, RefusesAHelloWithoutVersionOneAndCloses) {
  DeviceHarness h("{}");
  h.start();
  h.connect();
  h.host_sends(pr::Hello{2, 3, 0, "future-host"});
  const auto error = h.next_frame();
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["code"], "unsupported_version");
  EXPECT_EQ(error["ref_seq"], 1);
  EXPECT_EQ(h.next_frame()["reason"], "protocol_violation");
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::close_graceful});
}

TEST(DeviceModelTest, EchoesTheHeartbeatNonce) {
  DeviceHarness h("{}");
  handshake(h);
  h.host_sends(pr::Heartbeat{0xDEADBEEFCAFEull}, pr::kFlagReplyExpected);
  const auto ack = h.next_frame();
  EXPECT_EQ(ack["type"], "heartbeat_ack");
  EXPECT_EQ(ack["nonce"], 0xDEADBEEFCAFEull);
}

TEST(DeviceModelTest, AnswersPingByEchoingItsData) {
  DeviceHarness h("{}");
  handshake(h);
  const std::uint8_t data[] = {1, 2, 3};
  h.host_sends(pr::Command{41, 1, data});
  const auto response = h.next_frame();
  EXPECT_EQ(response["type"], "response");
  EXPECT_EQ(response["request_id"], 41);
  EXPECT_EQ(response["status"], "ok");
  EXPECT_EQ(response["data"], "010203");
}

TEST(DeviceModelTest, AnswersAnOpcodeNoEntryKnowsWithUnknownOpcode) {
  DeviceHarness h("{}");
  handshake(h);
  h.host_sends(pr::Command{5, 999, {}});
  EXPECT_EQ(h.next_frame()["status"], "unknown_opcode");
}

TEST(DeviceModelTest, SendsADelayedReplyWhenItComesDueAndNotBefore) {
  DeviceHarness h(R"({"commands": [{"opcode": 3, "status": "busy", "data": "ff", "delay_ms": 200}]})");
  handshake(h);
  h.host_sends(pr::Command{9, 3, {}});
  h.advance_ms(199);
  EXPECT_TRUE(h.frames.empty());
  h.advance_ms(1);
  const auto response = h.next_frame();
  EXPECT_EQ(response["request_id"], 9);
  EXPECT_EQ(response["status"], "busy");
  EXPECT_EQ(response["data"], "ff");
}

TEST(DeviceModelTest, NeverAnswersACommandConfiguredWithoutReply) {
  DeviceHarness h(R"({"commands": [{"opcode": 4, "reply": false}]})");
  handshake(h);
  h.host_sends(pr::Command{1, 4, {}});
  h.advance_ms(60'000);
  EXPECT_TRUE(h.frames.empty());
  EXPECT_TRUE(h.logged("command_unanswered"));
}

TEST(DeviceModelTest, RejectsACommandBeforeTheHandshake) {
  DeviceHarness h("{}");
  h.start();
  h.connect();
  h.host_sends(pr::Command{1, 1, {}});
  const auto error = h.next_frame();
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["code"], "unexpected_message");
  EXPECT_EQ(error["ref_seq"], 1);
}

TEST(DeviceModelTest, StreamsTelemetryAtTheConfiguredRateWithSequencesPerChannel) {
  DeviceHarness h(R"({"telemetry": {"channels": [0, 5], "rate_hz": 10, "sample_bytes": 4}})");
  handshake(h);
  h.run_for_ms(1000);  // 10 samples per channel
  std::map<int, std::vector<std::uint32_t>> seqs;
  while (!h.frames.empty()) {
    const auto f = h.next_frame();
    ASSERT_EQ(f["type"], "telemetry");
    EXPECT_EQ(f["samples"].get<std::string>().size(), 8u);
    seqs[f["channel"].get<int>()].push_back(f["channel_seq"]);
  }
  const std::vector<std::uint32_t> expected{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(seqs[0], expected);
  EXPECT_EQ(seqs[5], expected);
  EXPECT_EQ(h.device().record().telemetry_seqs(5), expected);
}

// A spec whose send queue holds `frames` telemetry frames of 8-byte samples, draining to one.
std::string telemetry_with_queue_of(std::size_t frames) {
  const auto f = telemetry_frame_size(8);
  return R"({"telemetry": {"rate_hz": 10, "sample_bytes": 8}, "send_queue": {"max_bytes": )" +
         std::to_string(frames * f) + R"(, "low_water_bytes": )" + std::to_string(f) + "}}";
}

TEST(DeviceModelTest, PausesBackgroundTelemetryWhileTheSendQueueIsFullAndResumesWithoutAGap) {
  DeviceHarness h(telemetry_with_queue_of(3));
  handshake(h);
  h.transport_writes_all();  // the HELLO_ACK
  h.run_for_ms(1000);        // room for seqs 0, 1, 2; the fourth sample finds the queue full
  EXPECT_EQ(h.device().record().telemetry_seqs(0), (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_TRUE(h.logged("send_queue_full"));
  EXPECT_FALSE(h.device().next_deadline().has_value()) << "nothing may come due while the queue is full";
  EXPECT_LE(h.device().record().send_queue_peak_bytes, 3 * telemetry_frame_size(8));
  h.transport_writes(telemetry_frame_size(8));  // down to two frames: still above the low-water mark
  EXPECT_FALSE(h.logged("send_queue_drained"));
  h.transport_writes(telemetry_frame_size(8));  // down to one: released
  EXPECT_TRUE(h.logged("send_queue_drained"));
  h.run_for_ms(200);
  EXPECT_EQ(h.device().record().telemetry_seqs(0), (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(h.device().record().telemetry_dropped, 0u);
  EXPECT_EQ(h.device().record().send_backpressure, 1u);
}

TEST(DeviceModelTest, StopsTakingInputWhileTheSendQueueHasNoRoomForAnAnswer) {
  DeviceHarness h(R"({"send_queue": {"max_bytes": 200, "low_water_bytes": 10}})");
  handshake(h);  // the HELLO_ACK stays unwritten
  EXPECT_TRUE(h.device().wants_input());
  h.host_sends(protocol::Heartbeat{7}, protocol::kFlagReplyExpected);
  EXPECT_TRUE(h.frames.empty()) << h.frames.front();
  EXPECT_FALSE(h.device().wants_input());
  EXPECT_TRUE(h.logged("send_queue_full"));
  h.transport_writes_all();
  EXPECT_TRUE(h.device().wants_input());
  EXPECT_EQ(h.next_frame(), (nlohmann::json{{"type", "heartbeat_ack"}, {"nonce", 7}}));
}

TEST(DeviceModelTest, AnswersAMalformedFrameWithAnErrorAndCloses) {
  DeviceHarness h("{}");
  handshake(h);
  auto frame = testing::encode_frame(pr::Heartbeat{1}, 2);
  frame.back() ^= 0x01;
  h.host_sends_bytes(frame);
  const auto error = h.next_frame();
  EXPECT_EQ(error["code"], "malformed_frame");
  EXPECT_EQ(error["text"], "crc_mismatch");
  EXPECT_EQ(error["ref_seq"], 2);  // the last good frame was seq 1
  EXPECT_EQ(h.next_frame()["reason"], "protocol_violation");
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::close_graceful});
  EXPECT_FALSE(h.device().is_connected());
}

TEST(DeviceModelTest, AnswersByeWithItsOwnByeAndCloses) {
  DeviceHarness h("{}");
  handshake(h);
  h.host_sends(pr::Bye{pr::ByeReason::shutting_down, "bye"});
  const auto bye = h.next_frame();
  EXPECT_EQ(bye["type"], "bye");
  EXPECT_EQ(bye["reason"], "normal");
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::close_graceful});
}

TEST(DeviceModelTest, RejectsASecondHelloAndAHeartbeatBeforeTheFirst) {
  DeviceHarness h("{}");
  h.start();
  h.connect();
  h.host_sends(pr::Heartbeat{1});
  EXPECT_EQ(h.next_frame()["code"], "unexpected_message");
  h.host_sends(pr::Hello{1, 1, 0, "h"});
  EXPECT_EQ(h.next_frame()["type"], "hello_ack");
  h.host_sends(pr::Hello{1, 1, 0, "h"});
  const auto error = h.next_frame();
  EXPECT_EQ(error["code"], "unexpected_message");
  EXPECT_EQ(error["ref_seq"], 3);
}

TEST(DeviceModelTest, SendsAHeartbeatAfterAnIntervalWithoutSending) {
  DeviceHarness h(R"({"identity": {"heartbeat_interval_ms": 1000}})");
  handshake(h);
  h.advance_ms(999);
  EXPECT_TRUE(h.frames.empty());
  h.host_sends(pr::Heartbeat{1});  // answering counts as sending
  h.next_frame();
  h.advance_ms(999);
  EXPECT_TRUE(h.frames.empty());
  h.advance_ms(1);
  EXPECT_EQ(h.next_frame()["type"], "heartbeat");
}

TEST(DeviceModelTest, SaysByeAfterThreeIntervalsWithoutHearingFromTheHost) {
  DeviceHarness h(R"({"identity": {"heartbeat_interval_ms": 1000}})");
  handshake(h);
  h.run_for_ms(2999);
  EXPECT_TRUE(h.ops.empty());
  h.run_for_ms(1);
  while (h.frames.size() > 1) h.next_frame();  // the device's own heartbeats
  EXPECT_EQ(h.next_frame()["reason"], "idle_timeout");
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::close_graceful});
}

TEST(DeviceModelTest, ReassemblesAHelloSplitAtEveryByte) {
  const auto hello = testing::encode_frame(pr::Hello{1, 1, 0, "split-host"}, 1);
  for (std::size_t cut = 1; cut < hello.size(); ++cut) {
    DeviceHarness h("{}");
    h.start();
    h.connect();
    h.host_sends_bytes({hello.begin(), hello.begin() + static_cast<std::ptrdiff_t>(cut)});
    EXPECT_TRUE(h.frames.empty()) << "cut at " << cut;
    h.host_sends_bytes({hello.begin() + static_cast<std::ptrdiff_t>(cut), hello.end()});
    EXPECT_EQ(h.next_frame()["type"], "hello_ack") << "cut at " << cut;
  }
}

TEST(DeviceModelTest, NumbersItsFramesFromOneOnEachConnection) {
  DeviceHarness h("{}");
  handshake(h);
  h.host_sends(pr::Heartbeat{1});
  h.host_sends(pr::Heartbeat{2});
  EXPECT_EQ(h.frame_seqs, (std::vector<std::uint32_t>{1, 2, 3}));
  h.host_closes();
  h.connect();
  h.host_sends(pr::Hello{1, 1, 0, "again"});
  EXPECT_EQ(h.frame_seqs.back(), 1u);
}

TEST(DeviceModelTest, RecordsWhatItReceivedAndSent) {
  DeviceHarness h("{}");
  handshake(h);
  h.host_sends(pr::Heartbeat{7});
  const auto& record = h.device().record();
  EXPECT_EQ(record.received_count(pr::MessageType::hello), 1u);
  EXPECT_EQ(record.received_count(pr::MessageType::heartbeat), 1u);
  EXPECT_EQ(record.sent_count(pr::MessageType::hello_ack), 1u);
  EXPECT_EQ(record.sent_count(pr::MessageType::heartbeat_ack), 1u);
  EXPECT_EQ(record.bytes_queued, h.wire.size());
  EXPECT_EQ(record.connections_accepted, 1u);
}

}  // namespace
}  // namespace iocpsim::devsim
