// What a hostile device can send, and what it must not be able to do to the host: strings that
// are not UTF-8, handling that throws, a peer that never reads, a session that dies right after
// its handshake. Each test keeps a healthy device beside the hostile one where that matters.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine_harness.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::engine::testing {
namespace {

namespace proto = iocpsim::protocol;

using HostileDeviceTest = EngineHarness;

// A sink that throws for one event of one device, once: an exception out of a worker's handling.
class ThrowingSink final : public EventSink {
 public:
  ThrowingSink(std::string event, std::string device) : event_(std::move(event)), device_(std::move(device)) {}
  void write(const Event& e) override {
    if (e.name == event_ && e.device == device_ && !thrown_.exchange(true)) {
      throw std::runtime_error("sink failed on purpose");
    }
  }

 private:
  std::string event_;
  std::string device_;
  std::atomic<bool> thrown_{false};
};

TEST_F(HostileDeviceTest, StringsThatAreNotUtf8AreLoggedEscapedAndTheLogStaysJsonLines) {
  std::ostringstream lines;
  log.add_sink(std::make_shared<JsonLinesSink>(lines));
  start();
  TestDevice peer;
  ASSERT_TRUE(engine->add_device(device("d", peer)));
  peer.accept();
  ASSERT_EQ(peer.read_frame().type, proto::MessageType::hello);
  // An overlong '/', a lone surrogate, a byte that starts nothing: each must reach the log.
  peer.send(proto::HelloAck{1, 0x7, 0, "dev\xC0\xAF", "sn", "fw\xED\xA0\x80"});
  peer.send(proto::Error{proto::ErrorCode::too_busy, 1, "busy \xFF"});
  peer.send(proto::Bye{proto::ByeReason::restarting, "bye \xFE\xFF"});
  peer.shutdown_send();
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));

  EXPECT_EQ(first("session_ready", "d")["device_id_utf8"], false);
  EXPECT_EQ(first("session_ready", "d")["device_id_hex"], "646576c0af");
  EXPECT_EQ(first("session_ready", "d")["firmware_hex"], "6677eda080");
  EXPECT_EQ(first("device_error", "d")["text"], "busy \xEF\xBF\xBD");
  EXPECT_EQ(first("device_error", "d")["text_utf8"], false);
  EXPECT_EQ(first("peer_bye", "d")["text_hex"], "62796520feff");
  EXPECT_FALSE(first("peer_bye", "d").contains("reason_utf8"));
  finish();

  std::istringstream in(lines.str());
  std::size_t parsed = 0;
  for (std::string line; std::getline(in, line); ++parsed) {
    ASSERT_TRUE(nlohmann::json::accept(line)) << line;
  }
  EXPECT_EQ(parsed, sink->events().size());
}

TEST_F(HostileDeviceTest, AnExceptionWhileHandlingOneConnectionClosesItAndTheWorkersLiveOn) {
  start();
  TestDevice healthy;
  connect_ready("h", healthy);
  TestDevice peer;
  connect_ready("d", peer);
  log.add_sink(std::make_shared<ThrowingSink>("peer_bye", "d"));
  peer.send(proto::Bye{proto::ByeReason::normal, "going"});
  ASSERT_TRUE(wait("handler_exception", "d"));
  EXPECT_EQ(first("handler_exception", "d")["op"], "receive");
  EXPECT_EQ(first("handler_exception", "d")["what"], "sink failed on purpose");
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  EXPECT_EQ(first("reconnect_scheduled", "d")["attempt"], 1);

  // Every worker still serves: the device comes back, the healthy one keeps its session.
  advance(100);
  peer.handshake();
  ASSERT_TRUE(wait("session_ready", "d", 2));
  healthy.telemetry(1, 0);
  ASSERT_TRUE(recorder.wait_telemetry("h", 1));
  EXPECT_EQ(sink->count("handler_exception", "h"), 0u);
  EXPECT_EQ(sink->count("socket_closed", "h"), 0u);
}

// A device that stops reading: every send the engine issues now pends and moves nothing.
DeviceConfig not_reading_config(const std::string& name, const TestDevice& peer) {
  DeviceConfig c;
  c.name = name;
  c.port = peer.port();
  c.backoff_jitter = 0;
  c.stall_timeout_ms = 1'000'000;  // the device keeps sending anyway
  c.send_queue_max_bytes = 64;     // room for two 28-byte HEARTBEAT_ACKs
  return c;
}

TEST_F(HostileDeviceTest, APeerThatTakesNoBytesForTheSendStallTimeoutIsClosed) {
  start();
  TestDevice peer;
  DeviceConfig c = not_reading_config("d", peer);
  c.send_stall_timeout_ms = 500;
  c.heartbeat_interval_ms = 1'000'000;
  connect_ready("d", peer, &c);
  io.arm({fault(Outcome::peer_not_reading).tag("d")});
  const std::uint64_t sends = io.count(Call::WSASend);
  peer.send(proto::Heartbeat{1}, proto::kFlagReplyExpected);
  ASSERT_TRUE(io.wait_calls(Call::WSASend, sends + 1));  // the answer is out, and stays out
  advance(500);
  ASSERT_TRUE(wait("peer_not_reading", "d"));
  EXPECT_EQ(first("peer_not_reading", "d")["stalled_ms"], 500);
  EXPECT_EQ(first("peer_not_reading", "d")["send_in_flight"], true);
  EXPECT_GT(first("peer_not_reading", "d")["queued_bytes"].get<int>(), 0);
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  ASSERT_TRUE(wait("op_aborted", "d", 2));  // the receive, and the held send: each at its R6 packet
  std::vector<std::string> ops;
  for (const auto& f : all_fields("op_aborted", "d")) ops.push_back(f["op"]);
  std::sort(ops.begin(), ops.end());
  EXPECT_EQ(ops, (std::vector<std::string>{"receive", "send"}));
}

TEST_F(HostileDeviceTest, AHeartbeatThatFindsTheSendQueueFullStillHasItsAnswerDue) {
  start();
  TestDevice peer;
  DeviceConfig c = not_reading_config("d", peer);
  c.send_stall_timeout_ms = 0;  // only the heartbeat can notice here
  connect_ready("d", peer, &c);
  io.arm({fault(Outcome::peer_not_reading).tag("d")});
  for (std::uint64_t n = 1; n <= 3; ++n) peer.send(proto::Heartbeat{n}, proto::kFlagReplyExpected);
  ASSERT_TRUE(wait("send_queue_full", "d"));  // the third answer finds no room
  advance(1'000);                             // the host's own heartbeat is due and finds no room either
  ASSERT_TRUE(wait("send_queue_full", "d", 2));
  EXPECT_EQ(sink->count("heartbeat_sent", "d"), 0u);
  advance(3'000);
  ASSERT_TRUE(wait("heartbeat_timeout", "d"));
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
}

TEST_F(HostileDeviceTest, AFloodOfFramesThatFindTheQueueFullWritesABurstAndASummary) {
  start();
  TestDevice peer;
  DeviceConfig c = not_reading_config("d", peer);
  connect_ready("d", peer, &c);
  io.arm({fault(Outcome::peer_not_reading).tag("d")});
  for (std::uint64_t n = 1; n <= 50; ++n) peer.send(proto::Heartbeat{n}, proto::kFlagReplyExpected);
  peer.telemetry(1, 0);  // a marker: every heartbeat before it has been handled
  ASSERT_TRUE(recorder.wait_telemetry("d", 1));
  EXPECT_EQ(sink->count("send_queue_full", "d"), 10u);  // EngineOptions::event_burst_max
  peer.reset();  // the receive fails (R5); closing the socket ends the held send (R6)
  ASSERT_TRUE(wait("events_suppressed", "d"));
  EXPECT_EQ(first("events_suppressed", "d")["suppressed_event"], "send_queue_full");
  EXPECT_EQ(first("events_suppressed", "d")["count"], 38);  // 48 refused answers, 10 written
  EXPECT_EQ(log.counter("d", "send_queue_full"), 10u);
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
}

TEST_F(HostileDeviceTest, ASessionThatDiesRightAfterItsHandshakeDoesNotResetTheBackoff) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  peer.reset();  // handshake, then gone at once
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  advance(100);
  peer.handshake();
  ASSERT_TRUE(wait("session_ready", "d", 2));
  peer.reset();
  ASSERT_TRUE(wait("reconnect_scheduled", "d", 2));
  auto scheduled = all_fields("reconnect_scheduled", "d");
  EXPECT_EQ(scheduled[0]["delay_ms"], 100);
  EXPECT_EQ(scheduled[1]["attempt"], 2);  // not 1: that session did not count as healthy
  EXPECT_EQ(scheduled[1]["delay_ms"], 200);

  // A session that lives backoff_reset_after_ms (5 s by default) starts the backoff over.
  advance(200);
  peer.handshake();
  ASSERT_TRUE(wait("session_ready", "d", 3));
  advance(5'000);
  ASSERT_TRUE(wait("heartbeat_sent", "d"));
  peer.reset();
  ASSERT_TRUE(wait("reconnect_scheduled", "d", 3));
  scheduled = all_fields("reconnect_scheduled", "d");
  EXPECT_EQ(scheduled[2]["attempt"], 1);
  EXPECT_EQ(scheduled[2]["delay_ms"], 100);
}

TEST_F(HostileDeviceTest, TheHeartbeatIntervalADeviceAsksForIsHeldWithinAFloorAndACeiling) {
  start();
  TestDevice fast;
  ASSERT_TRUE(engine->add_device(device("fast", fast)));
  fast.handshake(1, /*heartbeat_interval_ms=*/1);
  ASSERT_TRUE(wait("session_ready", "fast"));
  EXPECT_EQ(first("session_ready", "fast")["heartbeat_interval_ms"], 50);
  EXPECT_EQ(first("session_ready", "fast")["heartbeat_interval_clamped"], true);
  EXPECT_EQ(first("session_ready", "fast")["heartbeat_interval_requested_ms"], 1);

  TestDevice slow;
  DeviceConfig c = device("slow", slow);
  c.heartbeat_interval_ms = 1'000'000;
  ASSERT_TRUE(engine->add_device(c));
  slow.handshake(1, /*heartbeat_interval_ms=*/600'000);
  ASSERT_TRUE(wait("session_ready", "slow"));
  EXPECT_EQ(first("session_ready", "slow")["heartbeat_interval_ms"], 60'000);
  EXPECT_EQ(first("session_ready", "slow")["heartbeat_interval_clamped"], true);

  TestDevice plain;
  ASSERT_TRUE(engine->add_device(device("plain", plain)));
  plain.handshake(1, /*heartbeat_interval_ms=*/200);
  ASSERT_TRUE(wait("session_ready", "plain"));
  EXPECT_EQ(first("session_ready", "plain")["heartbeat_interval_ms"], 200);
  EXPECT_FALSE(first("session_ready", "plain").contains("heartbeat_interval_clamped"));
}

// Receives that complete at once (R9b) would keep a flooding device's turn going as long as it
// sends: after kReceivesPerTurn (4) of them the turn ends with a resume packet posted behind
// what the port holds, and the rest of the burst is read on later turns — all of it delivered.
TEST_F(HostileDeviceTest, ABurstIsReadInBoundedTurnsThatQueueBehindThePortsOtherPackets) {
  EngineOptions o;
  o.skip_completion_port_on_success = CompletionSkip::always;  // receives complete inline
  o.receive_buffer_bytes = 256;                                // a 20 KB burst needs about 80 receives
  start(o);
  TestDevice peer;
  connect_ready("d", peer);
  std::vector<std::uint8_t> burst;
  const std::vector<std::uint8_t> samples(64, 7);
  for (std::uint32_t n = 0; n < 200; ++n) {
    const proto::Telemetry t{1, n, 0, proto::Bytes(samples.data(), samples.size())};
    std::vector<std::uint8_t> f(proto::frame_size(t));
    f.resize(proto::encode(t, n + 2, f).size);
    burst.insert(burst.end(), f.begin(), f.end());
  }
  const std::uint64_t posts = io.count(Call::PostQueuedCompletionStatus);
  const std::uint64_t receives = io.count(Call::WSARecv);
  peer.send_raw(burst);  // one write: on loopback the bytes are all there for the first receive
  ASSERT_TRUE(recorder.wait_telemetry("d", 200));
  const std::uint64_t issued = io.count(Call::WSARecv) - receives;
  const std::uint64_t resumed = io.count(Call::PostQueuedCompletionStatus) - posts;
  EXPECT_GE(issued, burst.size() / o.receive_buffer_bytes);
  // One resume per four receives (give or take the first and last turns).
  EXPECT_GE(resumed + 2, issued / 4) << issued << " receives, " << resumed << " resumes";
  EXPECT_GE(resumed, 10u);
  EXPECT_EQ(sink->count("telemetry_gap", "d"), 0u);
}

}  // namespace
}  // namespace iocpsim::engine::testing
