// The engine's protocol session without sockets or threads: bytes and virtual time in, frames in
// the send queue and driver calls out. The same behaviour on live connections is in
// session_test.cpp and hostile_device_test.cpp; here each rule is held on its own, with every
// split of the input and at exact instants.
#include <gtest/gtest.h>

#include <vector>

#include "iocpsim/devsim/spec.hpp"
#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/encoder.hpp"
#include "session_pair.hpp"

namespace iocpsim::engine::testing {
namespace {

namespace proto = iocpsim::protocol;
using detail::Phase;
using detail::Verdict;

std::vector<std::uint8_t> frame(const proto::Message& m, std::uint32_t seq = 1) {
  std::vector<std::uint8_t> out(proto::frame_size(m));
  const auto r = proto::encode(m, seq, out);
  out.resize(r.size);
  return out;
}

std::vector<std::uint8_t> operator+(std::vector<std::uint8_t> a, const std::vector<std::uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The frames the session queued, decoded.
std::vector<proto::MessageType> queued_types(detail::SendQueue& q) {
  std::vector<proto::MessageType> out;
  proto::Decoder decoder;
  const auto chunk = q.next_chunk();
  proto::Bytes in(chunk.data(), chunk.size());
  while (true) {
    const auto r = decoder.put(in);
    in = in.subspan(r.consumed);
    if (r.status != proto::DecodeStatus::frame) break;
    out.push_back(r.frame.header.type);
  }
  q.sent(chunk.size());
  return out;
}

class ProtocolSessionTest : public ::testing::Test {
 protected:
  ProtocolSessionTest() { config.heartbeat_interval_ms = 1'000; }
  void connect(std::int64_t now = 0) { session.on_connected(now, queue, driver); }
  Verdict feed(const std::vector<std::uint8_t>& bytes, std::int64_t now = 0) {
    driver.now_ms = now;
    return session.on_bytes(now, proto::Bytes(bytes.data(), bytes.size()), driver);
  }
  Verdict at(std::int64_t now) {
    driver.now_ms = now;
    return session.on_time(now, false, driver);
  }
  void ready(std::uint32_t interval_ms = 0) {
    connect();
    EXPECT_EQ(queued_types(queue), std::vector{proto::MessageType::hello});
    ASSERT_EQ(feed(frame(proto::HelloAck{1, 0, interval_ms, "dev", "s", "fw"})), Verdict::carry_on);
    ASSERT_EQ(session.phase(), Phase::ready);
  }

  DeviceConfig config;
  EngineOptions options;
  detail::ProtocolSession session{config, options};
  detail::SendQueue queue{256 * 1024};
  RecordingDriver driver;
};

TEST_F(ProtocolSessionTest, HelloIsQueuedAtConnectAndTheHelloAckMakesTheSessionReady) {
  ready();
  EXPECT_EQ(driver.handshakes, 1u);
  ASSERT_NE(driver.last("session_ready"), nullptr);
  EXPECT_EQ(driver.last("session_ready")->fields["device_id"], "dev");
  EXPECT_EQ(catalogue_problem(driver.events), "");
}

TEST_F(ProtocolSessionTest, AHandshakeSplitAtEveryByteGivesTheSameSession) {
  const auto bytes = frame(proto::HelloAck{1, 0, 0, "dev", "s", "fw"}) + frame(proto::Heartbeat{7}, 2);
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    detail::ProtocolSession s(config, options);
    detail::SendQueue q(256 * 1024);
    RecordingDriver d;
    s.on_connected(0, q, d);
    s.on_bytes(0, proto::Bytes(bytes.data(), cut), d);
    s.on_bytes(0, proto::Bytes(bytes.data() + cut, bytes.size() - cut), d);
    ASSERT_EQ(s.phase(), Phase::ready) << "cut at " << cut;
    EXPECT_EQ(queued_types(q), (std::vector{proto::MessageType::hello, proto::MessageType::heartbeat_ack})) << cut;
  }
}

TEST_F(ProtocolSessionTest, AVersionOutsideTheOfferClosesWithHandshakeFailed) {
  connect();
  EXPECT_EQ(feed(frame(proto::HelloAck{9, 0, 0, "dev", "s", "fw"})), Verdict::close);
  EXPECT_EQ(driver.events.back().name, "handshake_failed");
  EXPECT_EQ(driver.handshakes, 0u);
}

TEST_F(ProtocolSessionTest, NoHelloAckByTheHandshakeTimeoutCloses) {
  connect();
  EXPECT_EQ(session.next_deadline_ms(), config.handshake_timeout_ms);
  EXPECT_EQ(at(config.handshake_timeout_ms - 1), Verdict::carry_on);
  EXPECT_EQ(at(config.handshake_timeout_ms), Verdict::close);
  EXPECT_EQ(driver.events.back().name, "handshake_timeout");
}

TEST_F(ProtocolSessionTest, AGarbledFrameClosesWithProtocolErrorAndItsOffset) {
  ready();
  EXPECT_EQ(feed({0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), Verdict::close);
  EXPECT_EQ(driver.events.back().name, "protocol_error");
  EXPECT_EQ(driver.events.back().fields["error"], "bad_magic");
}

TEST_F(ProtocolSessionTest, AHeartbeatGoesOutAfterTheIntervalAndItsAnswerIsDue) {
  ready();
  EXPECT_EQ(at(999), Verdict::carry_on);
  EXPECT_TRUE(queued_types(queue).empty());
  EXPECT_EQ(at(1'000), Verdict::carry_on);
  EXPECT_EQ(queued_types(queue), std::vector{proto::MessageType::heartbeat});
  session.on_sent(1'000, 28, true);
  EXPECT_EQ(at(1'000 + config.heartbeat_timeout_ms), Verdict::close);
  EXPECT_EQ(driver.events.back().name, "heartbeat_timeout");
}

TEST_F(ProtocolSessionTest, AHeartbeatThatFindsNoRoomStillArmsItsAnswerDeadline) {
  config.send_stall_timeout_ms = 0;  // only the heartbeat's own deadline here
  detail::SendQueue tiny(1);
  session.on_connected(0, tiny, driver);  // the HELLO does not fit either
  ASSERT_EQ(feed(frame(proto::HelloAck{1, 0, 0, "dev", "s", "fw"})), Verdict::carry_on);
  EXPECT_EQ(at(1'000), Verdict::carry_on);
  EXPECT_EQ(driver.last("send_queue_full")->fields["type"], "heartbeat");
  // A device that keeps sending does not keep its session.
  for (std::int64_t t = 1'100; t < 1'000 + config.heartbeat_timeout_ms; t += 100) {
    ASSERT_EQ(feed(frame(proto::Heartbeat{1}, 2), t), Verdict::carry_on);
    ASSERT_EQ(at(t), Verdict::carry_on);
  }
  EXPECT_EQ(at(1'000 + config.heartbeat_timeout_ms), Verdict::close);
  EXPECT_EQ(driver.events.back().name, "heartbeat_timeout");
}

TEST_F(ProtocolSessionTest, BytesThatDoNotMoveForTheSendStallTimeoutMeanThePeerIsNotReading) {
  config.send_stall_timeout_ms = 500;
  config.heartbeat_timeout_ms = 60'000;
  ready();  // the HELLO was taken (queued_types), but on_sent never said so
  EXPECT_EQ(at(499), Verdict::carry_on);
  EXPECT_EQ(at(500), Verdict::close);
  EXPECT_EQ(driver.events.back().name, "peer_not_reading");
}

TEST_F(ProtocolSessionTest, SilenceForTheStallTimeoutCloses) {
  config.heartbeat_interval_ms = 60'000;
  config.send_stall_timeout_ms = 0;
  ready();
  EXPECT_EQ(at(config.stall_timeout_ms - 1), Verdict::carry_on);
  EXPECT_EQ(at(config.stall_timeout_ms), Verdict::close);
  EXPECT_EQ(driver.events.back().name, "stall_detected");
}

TEST_F(ProtocolSessionTest, ACommandIsAnsweredOrTimesOutAndALateAnswerIsNamed) {
  ready();
  CommandCallback none;
  ASSERT_EQ(session.submit_command(0, 1, {}, 100, none, driver), Submit::accepted);
  ASSERT_EQ(session.submit_command(0, 1, {}, 100, none, driver), Submit::accepted);
  ASSERT_EQ(feed(frame(proto::Response{1, proto::Status::ok, {}}, 2), 50), Verdict::carry_on);
  EXPECT_EQ(at(100), Verdict::carry_on);
  EXPECT_EQ(driver.outcomes, (std::vector{CommandOutcome::ok, CommandOutcome::timeout}));
  ASSERT_EQ(feed(frame(proto::Response{2, proto::Status::ok, {}}, 3), 150), Verdict::carry_on);
  EXPECT_EQ(driver.count("late_reply"), 1u);
  ASSERT_EQ(feed(frame(proto::Response{77, proto::Status::ok, {}}, 4), 150), Verdict::carry_on);
  EXPECT_EQ(driver.count("unknown_reply"), 1u);
}

TEST_F(ProtocolSessionTest, CommandsBeyondTheLimitAreRefusedAndPendingOnesFailWhenTheConnectionCloses) {
  config.commands_in_flight_max = 2;
  ready();
  CommandCallback none;
  EXPECT_EQ(session.submit_command(0, 1, {}, 0, none, driver), Submit::accepted);
  EXPECT_EQ(session.submit_command(0, 1, {}, 0, none, driver), Submit::accepted);
  EXPECT_EQ(session.submit_command(0, 1, {}, 0, none, driver), Submit::too_many_in_flight);
  session.on_closed(CommandOutcome::connection_lost, driver);
  EXPECT_EQ(driver.outcomes, (std::vector{CommandOutcome::connection_lost, CommandOutcome::connection_lost}));
  EXPECT_EQ(session.submit_command(0, 1, {}, 0, none, driver), Submit::not_ready);
}

TEST_F(ProtocolSessionTest, AFloodOfEventsReachesTheApplicationButTheLogOnlyUpToTheBurst) {
  ready();
  std::vector<std::uint8_t> flood;
  for (std::uint32_t i = 0; i < 200; ++i)
    flood = flood + frame(proto::Event{i, proto::Severity::info, 5, 0, "x"}, 2 + i);
  ASSERT_EQ(feed(flood, 10), Verdict::carry_on);
  EXPECT_EQ(driver.device_events, 200u);
  EXPECT_EQ(driver.count("device_event"), options.event_burst_max);
  // The next window writes again, and first says what the last one held back.
  ASSERT_EQ(feed(frame(proto::Event{1, proto::Severity::info, 5, 0, "x"}, 300), 10 + options.event_window_ms),
            Verdict::carry_on);
  ASSERT_NE(driver.last("events_suppressed"), nullptr);
  EXPECT_EQ(driver.last("events_suppressed")->fields["suppressed_event"], "device_event");
  EXPECT_EQ(driver.last("events_suppressed")->fields["count"], 200 - options.event_burst_max);
  EXPECT_EQ(driver.count("device_event"), options.event_burst_max + 1);
  EXPECT_EQ(rate_limit_problem(driver.events, options), "");
}

TEST_F(ProtocolSessionTest, TelemetryGapsAreNamedAndRateLimited) {
  ready();
  std::vector<std::uint8_t> in;
  const std::uint8_t sample[4] = {1, 2, 3, 4};
  for (std::uint32_t i = 0; i < 50; ++i) in = in + frame(proto::Telemetry{0, i * 2, 0, proto::Bytes(sample, 4)}, 2 + i);
  ASSERT_EQ(feed(in), Verdict::carry_on);
  EXPECT_EQ(driver.telemetry_frames, 50u);
  EXPECT_EQ(driver.count("telemetry_gap"), options.event_burst_max);
  session.report_suppressed(driver);
  EXPECT_EQ(driver.last("events_suppressed")->fields["count"], 49 - options.event_burst_max);
}

TEST_F(ProtocolSessionTest, TextThatIsNotUtf8IsLoggedEscapedWithItsBytes) {
  ready();
  ASSERT_EQ(feed(frame(proto::Bye{proto::ByeReason::normal, "bye \xff"}, 2)), Verdict::carry_on);
  const auto* bye = driver.last("peer_bye");
  ASSERT_NE(bye, nullptr);
  EXPECT_EQ(bye->fields["text_utf8"], false);
  EXPECT_EQ(bye->fields["text_hex"], "62796520ff");
  EXPECT_TRUE(session.peer_said_bye());
  EXPECT_NO_THROW((void)bye->fields.dump());
}

TEST_F(ProtocolSessionTest, BeforeTheHandshakeOnlyARefusalIsReported) {
  connect();
  ASSERT_EQ(feed(frame(proto::Heartbeat{1})), Verdict::carry_on);
  EXPECT_EQ(driver.last("unexpected_message")->fields["state"], "handshaking");
  ASSERT_EQ(feed(frame(proto::Error{proto::ErrorCode::malformed_frame, 1, "no"}, 2)), Verdict::carry_on);
  EXPECT_EQ(driver.count("device_error"), 1u);
}

TEST_F(ProtocolSessionTest, ClosingQueuesTheByeAndLeavesTheDeadlinesToTheDrainBound) {
  ready();
  session.begin_closing(5, driver);
  EXPECT_EQ(queued_types(queue), std::vector{proto::MessageType::bye});
  EXPECT_EQ(session.phase(), Phase::closing);
  EXPECT_EQ(at(100'000), Verdict::carry_on) << driver.events.back().name;
}

// Every device of a small scenario-like spec, played against the session in memory.
TEST(SessionPairTest, ADeviceSimDevicePlaysAgainstTheSessionInMemory) {
  const auto specs = devsim::parse_devices(nlohmann::json::parse(R"({"devices": [
    {"name": "d", "telemetry": {"rate_hz": 100, "channels": [0, 1]}}]})"));
  ASSERT_EQ(specs.size(), 1u);
  SessionPair pair(specs[0]);
  pair.run_for(3'000);
  EXPECT_FALSE(pair.ended());
  EXPECT_EQ(pair.driver.handshakes, 1u);
  EXPECT_GT(pair.driver.telemetry_frames, 500u);
  EXPECT_EQ(pair.driver.count("telemetry_gap"), 0u);
  EXPECT_GE(pair.driver.count("heartbeat_sent"), 1u);
  EXPECT_EQ(pair.driver.count("heartbeat_timeout"), 0u);
  EXPECT_EQ(catalogue_problem(pair.driver.events), "");
}

}  // namespace
}  // namespace iocpsim::engine::testing
