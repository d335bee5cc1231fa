// The device protocol as the engine speaks it: handshake and version negotiation, heartbeats,
// commands, telemetry sequence checks, EVENTs, BYE, protocol errors, the bounded send queue.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <vector>

#include "engine_harness.hpp"

namespace iocpsim::engine::testing {
namespace {

namespace proto = iocpsim::protocol;

using SessionTest = EngineHarness;

TEST_F(SessionTest, HelloOffersTheConfiguredVersionRangeAndHostId) {
  start();
  TestDevice peer;
  DeviceConfig c = device("d", peer);
  c.version_max = 3;
  ASSERT_TRUE(engine->add_device(c));
  peer.accept();
  const PeerFrame f = peer.read_frame();
  ASSERT_EQ(f.type, proto::MessageType::hello);
  EXPECT_EQ(f.flags & proto::kFlagReplyExpected, proto::kFlagReplyExpected);
  const auto hello = std::get<proto::Hello>(f.decode());
  EXPECT_EQ(hello.min_version, 1);
  EXPECT_EQ(hello.max_version, 3);
  EXPECT_EQ(hello.host_id, "iocpsim-host");
  EXPECT_EQ(f.seq, 1u);  // PROTOCOL.md 6.2: the first frame on a connection has seq 1
}

TEST_F(SessionTest, ADeviceRefusingTheHelloWithErrorAndByeIsHeardWithItsReason) {
  start();
  TestDevice peer;
  ASSERT_TRUE(engine->add_device(device("d", peer)));
  peer.accept();
  const PeerFrame hello = peer.read_frame();
  ASSERT_EQ(hello.type, proto::MessageType::hello);
  peer.send(proto::Error{proto::ErrorCode::unsupported_version, hello.seq, "version 2 only"});
  peer.send(proto::Bye{proto::ByeReason::protocol_violation, ""});
  peer.shutdown_send();
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  EXPECT_EQ(first("device_error", "d")["code"], 2);
  EXPECT_EQ(first("device_error", "d")["ref_seq"], 1);
  EXPECT_EQ(first("peer_bye", "d")["reason"], 3);
  EXPECT_EQ(first("peer_closed", "d")["after_bye"], true);
  EXPECT_EQ(sink->count("unexpected_message", "d"), 0u);
  EXPECT_EQ(sink->count("session_ready", "d"), 0u);
}

TEST_F(SessionTest, AVersionOutsideTheOfferedRangeFailsTheHandshakeAndRetries) {
  start();
  TestDevice peer;
  ASSERT_TRUE(engine->add_device(device("d", peer)));
  peer.handshake(/*version=*/2);
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  EXPECT_EQ(first("handshake_failed", "d")["reason"], "version");
  EXPECT_EQ(sink->count("session_ready", "d"), 0u);
}

TEST_F(SessionTest, NoHelloAckWithinTheTimeoutClosesAndRetries) {
  start();
  TestDevice peer;
  ASSERT_TRUE(engine->add_device(device("d", peer)));
  peer.accept();
  EXPECT_EQ(peer.read_frame().type, proto::MessageType::hello);
  advance(5'000);
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  EXPECT_EQ(sink->count("handshake_timeout", "d"), 1u);
}

TEST_F(SessionTest, AnIdleSessionSendsHeartbeatsAndAnAnsweredOneKeepsItAlive) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  advance(1'000);
  const PeerFrame hb = peer.read_frame();
  ASSERT_EQ(hb.type, proto::MessageType::heartbeat);
  const auto nonce = std::get<proto::Heartbeat>(hb.decode()).nonce;
  peer.send(proto::HeartbeatAck{nonce});
  peer.telemetry(1, 0);  // a marker that the ack was read first
  ASSERT_TRUE(recorder.wait_telemetry("d", 1));
  advance(3'000);
  ASSERT_TRUE(wait("heartbeat_sent", "d", 2));
  EXPECT_EQ(sink->count("heartbeat_timeout", "d"), 0u);
}

TEST_F(SessionTest, AnUnansweredHeartbeatTimesOutAndReconnects) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  advance(1'000);
  ASSERT_TRUE(wait("heartbeat_sent", "d"));
  advance(3'000);
  ASSERT_TRUE(wait("heartbeat_timeout", "d"));
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
}

TEST_F(SessionTest, TheDevicesHeartbeatIsAnsweredWithItsNonce) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  peer.send(proto::Heartbeat{77}, proto::kFlagReplyExpected);
  const PeerFrame f = peer.read_frame();
  ASSERT_EQ(f.type, proto::MessageType::heartbeat_ack);
  EXPECT_EQ(std::get<proto::HeartbeatAck>(f.decode()).nonce, 77u);
}

TEST_F(SessionTest, ACommandIsAnsweredThroughItsCallbackWithTheDevicesData) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  std::promise<std::pair<CommandOutcome, std::vector<std::uint8_t>>> answered;
  const std::uint8_t arg[] = {5};
  ASSERT_EQ(engine->send_command("d", 0x42, arg, 0,
                                 [&](const CommandResult& r) {
                                   answered.set_value({r.outcome, {r.data.begin(), r.data.end()}});
                                 }),
            Submit::accepted);
  const auto cmd = std::get<proto::Command>(peer.read_frame().decode());
  EXPECT_EQ(cmd.opcode, 0x42);
  const std::uint8_t reply[] = {9, 8};
  peer.send(proto::Response{cmd.request_id, proto::Status::ok, reply});
  auto result = answered.get_future();
  ASSERT_EQ(result.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  const auto [outcome, data] = result.get();
  EXPECT_EQ(outcome, CommandOutcome::ok);
  EXPECT_EQ(data, (std::vector<std::uint8_t>{9, 8}));
}

TEST_F(SessionTest, ACommandTimesOutAndItsLateReplyIsCountedAndDropped) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  std::atomic<int> calls{0};
  std::promise<CommandOutcome> outcome;
  ASSERT_EQ(engine->send_command("d", 1, {}, 500,
                                 [&](const CommandResult& r) {
                                   if (++calls == 1) outcome.set_value(r.outcome);
                                 }),
            Submit::accepted);
  const auto cmd = std::get<proto::Command>(peer.read_frame().decode());
  advance(500);
  auto timed_out = outcome.get_future();
  ASSERT_EQ(timed_out.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(timed_out.get(), CommandOutcome::timeout);
  peer.send(proto::Response{cmd.request_id, proto::Status::ok, {}});
  ASSERT_TRUE(wait("late_reply", "d"));
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(log.counter("d", "late_reply"), 1u);
  EXPECT_EQ(sink->count("command_timeout", "d"), 1u);
}

TEST_F(SessionTest, CommandsInFlightAreBounded) {
  start();
  TestDevice peer;
  DeviceConfig c = device("d", peer);
  c.commands_in_flight_max = 2;
  connect_ready("d", peer, &c);
  EXPECT_EQ(engine->send_command("d", 1, {}, 0, nullptr), Submit::accepted);
  EXPECT_EQ(engine->send_command("d", 1, {}, 0, nullptr), Submit::accepted);
  EXPECT_EQ(engine->send_command("d", 1, {}, 0, nullptr), Submit::too_many_in_flight);
}

TEST_F(SessionTest, AFullSendQueueSaysSoAndQueuesNothing) {
  start();
  TestDevice peer;
  DeviceConfig c = device("d", peer);
  c.send_queue_max_bytes = 300;
  connect_ready("d", peer, &c);
  const std::vector<std::uint8_t> big(400, 1);
  EXPECT_EQ(engine->send_command("d", 1, big, 0, nullptr), Submit::queue_full);
  EXPECT_EQ(sink->count("send_queue_full", "d"), 1u);
  EXPECT_EQ(sink->count("command_sent", "d"), 0u);
  const std::vector<std::uint8_t> small(10, 1);
  EXPECT_EQ(engine->send_command("d", 1, small, 0, nullptr), Submit::accepted);
}

TEST_F(SessionTest, CommandsToADeviceWithoutASessionAreRefused) {
  start();
  EXPECT_EQ(engine->send_command("nobody", 1, {}, 0, nullptr), Submit::unknown_device);
  TestDevice peer;
  ASSERT_TRUE(engine->add_device(device("d", peer)));
  EXPECT_EQ(engine->send_command("d", 1, {}, 0, nullptr), Submit::not_ready);
}

TEST_F(SessionTest, ATelemetryGapIsAnEventAndDeliveryContinues) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  peer.telemetry(2, 10);
  peer.telemetry(2, 11);
  peer.telemetry(2, 15);
  peer.telemetry(5, 0);  // channels are independent
  ASSERT_TRUE(recorder.wait_telemetry("d", 4));
  ASSERT_EQ(sink->count("telemetry_gap", "d"), 1u);
  const auto gap = first("telemetry_gap", "d");
  EXPECT_EQ(gap["channel"], 2);
  EXPECT_EQ(gap["expected"], 12);
  EXPECT_EQ(gap["got"], 15);
}

TEST_F(SessionTest, DeviceEventsReachTheEventCallbackAndTheLog) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  peer.send(proto::Event{7, proto::Severity::alarm, 300, 99, "door open"});
  ASSERT_TRUE(wait("device_event", "d"));
  const auto e = first("device_event", "d");
  EXPECT_EQ(e["event_id"], 7);
  EXPECT_EQ(e["severity"], 2);
  EXPECT_EQ(e["code"], 300);
}

TEST_F(SessionTest, AGarbledFrameIsAProtocolErrorNamingTheDecodersFault) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  const std::uint8_t garbage[] = {0xA5, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  peer.send_raw(garbage);
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  const auto e = first("protocol_error", "d");
  EXPECT_EQ(e["error"], "bad_magic");
  // Stream offset: the HELLO_ACK came first, then the bad second magic byte.
  EXPECT_EQ(e["offset"], proto::frame_size(proto::HelloAck{1, 0x7, 0, "dev", "sn-1", "fw-1"}) + 1);
}

// Samples are delivered from the receive buffer they were decoded in. Here the frame after them
// fails the connection within the same receive, so the connection is freed before the samples
// are delivered: they must still arrive intact (the buffer outlives the connection).
TEST_F(SessionTest, TelemetryBeforeAProtocolErrorInTheSameReceiveArrivesIntact) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  std::vector<std::uint8_t> bytes(400);
  std::size_t at = 0;
  for (std::uint32_t seq = 0; seq < 2; ++seq) {
    const std::vector<std::uint8_t> samples(64, static_cast<std::uint8_t>(0x30 + seq));
    const auto r = proto::encode(proto::Telemetry{1, seq, 5, samples}, 2 + seq, std::span(bytes).subspan(at));
    ASSERT_TRUE(r);
    at += r.size;
  }
  const std::uint8_t garbage[] = {0xA5, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  std::copy(std::begin(garbage), std::end(garbage), bytes.begin() + static_cast<std::ptrdiff_t>(at));
  at += sizeof garbage;
  peer.send_raw(std::span(bytes).first(at));
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  ASSERT_TRUE(recorder.wait_telemetry("d", 2));
  const auto got = recorder.telemetry_of("d");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].samples, std::vector<std::uint8_t>(64, 0x30));
  EXPECT_EQ(got[1].samples, std::vector<std::uint8_t>(64, 0x31));
  EXPECT_EQ(first("protocol_error", "d")["error"], "bad_magic");
}

TEST_F(SessionTest, FramesSplitAtEveryByteAreReassembled) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  std::vector<std::uint8_t> frame(200);
  const std::vector<std::uint8_t> samples(64, 3);
  const auto r = proto::encode(proto::Telemetry{1, 0, 5, samples}, 1, frame);
  ASSERT_TRUE(r);
  for (std::size_t i = 0; i < r.size; ++i) peer.send_raw(std::span(frame).subspan(i, 1));
  ASSERT_TRUE(recorder.wait_telemetry("d", 1));
  EXPECT_EQ(recorder.telemetry_of("d")[0].bytes, 64u);
  EXPECT_EQ(recorder.telemetry_of("d")[0].samples, samples);  // copied out of the decoder
}

TEST_F(SessionTest, TheDevicesByeIsLoggedAndItsFinEndsTheSession) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  peer.send(proto::Bye{proto::ByeReason::restarting, "reboot"});
  peer.shutdown_send();
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  EXPECT_EQ(first("peer_bye", "d")["reason"], 2);
  EXPECT_EQ(first("peer_closed", "d")["after_bye"], true);
}

TEST_F(SessionTest, BackoffJitterIsDrawnFromTheSeedAndStaysWithinItsFraction) {
  EngineOptions o;
  o.seed = 1234;
  start(o);
  DeviceConfig c = refused_device("d");
  c.backoff_initial_ms = 1'000;
  c.backoff_jitter = 0.5;
  ASSERT_TRUE(engine->add_device(c));
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  const int delay = first("reconnect_scheduled", "d")["delay_ms"];
  EXPECT_GE(delay, 500);
  EXPECT_LE(delay, 1'500);
  EXPECT_NE(delay, 1'000);
}

}  // namespace
}  // namespace iocpsim::engine::testing
