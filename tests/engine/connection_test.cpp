// One test per row of IOCP-SEMANTICS.md reachable on TCP, on a live loopback connection: the
// engine's events, its state, and its later calls (counted by the fault shim, whose rules force
// the rows a healthy loopback connection does not produce).
#include <gtest/gtest.h>

#include <algorithm>
#include <future>

#include "delegating_mock.hpp"
#include "engine_harness.hpp"

namespace iocpsim::engine::testing {
namespace {

namespace proto = iocpsim::protocol;

class ConnectionRowTest : public EngineHarness {
 protected:
  // R3 for real: the port the workers wait on is closed under them (as someone else's
  // CloseHandle would), at the next dequeue a wake-up lets one of them make. That one gets 735;
  // the others 735 too if they were waiting, or 6 if they came to the dead handle after.
  void close_the_workers_port() {
    io.arm({fault(Outcome::port_closed).on(Call::GetQueuedCompletionStatusEx)});
    engine->wake();
    ASSERT_TRUE(wait("worker_port_closed", "", workers));
  }
};

// The names of `dev`'s events from the first `from` onwards.
std::vector<std::string> tail_from(const MemorySink& sink, const std::string& dev, const std::string& from) {
  auto names = sink.names_for(dev);
  const auto it = std::find(names.begin(), names.end(), from);
  return {it, names.end()};
}

TEST_F(ConnectionRowTest, R1CompletedReceivesDeliverEveryTelemetryFrameInOrder) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  for (std::uint32_t i = 0; i < 100; ++i) peer.telemetry(1, i);
  ASSERT_TRUE(recorder.wait_telemetry("d", 100));
  const auto got = recorder.telemetry_of("d");
  for (std::uint32_t i = 0; i < 100; ++i) EXPECT_EQ(got[i].seq, i);
  EXPECT_EQ(got[0].bytes, 64u);
  EXPECT_EQ(sink->count("telemetry_gap", "d"), 0u);
}

TEST_F(ConnectionRowTest, R2DequeueTimeoutRunsDueTimersWithoutAnyWakeUp) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  ASSERT_TRUE(io.wait_batch_waiters(2));  // both workers asleep in GQCSEx
  const iocp::CallCounts before = io.counts();
  clock.advance(std::chrono::milliseconds(1'000));  // no wake(): only a worker's GQCSEx timing out (R2) can notice
  ASSERT_TRUE(wait("heartbeat_sent", "d"));
  EXPECT_GE(io.counts().since(before).timed_out_waits, 1u);
  EXPECT_EQ(peer.read_frame().type, proto::MessageType::heartbeat);
}

TEST_F(ConnectionRowTest, R3PortClosedUnderTheWaitingWorkersEndsEachOfThemOnce) {
  start();
  const iocp::CallCounts before = io.counts();
  close_the_workers_port();
  const auto closed = all_fields("worker_port_closed", "");
  ASSERT_EQ(closed.size(), workers);
  for (const auto& f : closed) {
    EXPECT_EQ(f["row"], "R3");
    EXPECT_TRUE(f["error"] == ERROR_ABANDONED_WAIT_0 || f["error"] == ERROR_INVALID_HANDLE) << f;
  }
  finish();  // nothing was pending: nothing to abandon
  EXPECT_EQ(sink->count("op_abandoned", ""), 0u);
  EXPECT_EQ(io.counts().since(before)[Call::CloseHandle], 0u);  // not the engine's to close
}

TEST_F(ConnectionRowTest, R3PortClosedWithAReceivePendingReleasesEveryContextAtShutdown) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  ASSERT_EQ(engine->live_op_contexts(), 1u);  // the receive, pending
  const iocp::CallCounts before = io.counts();
  close_the_workers_port();
  finish();  // no completion can come: the receive is abandoned, nothing leaks
  EXPECT_EQ(sink->count("op_abandoned", "d"), 1u);
  EXPECT_EQ(first("op_abandoned", "d")["op"], "receive");
  EXPECT_EQ(first("op_abandoned", "d")["row"], "R3");
  EXPECT_EQ(sink->count("shutdown_ceiling_reached", ""), 0u);   // no wait for what cannot come
  EXPECT_EQ(io.counts().since(before)[Call::CloseHandle], 0u);  // the handle is not the engine's to close
}

TEST_F(ConnectionRowTest, R4PeerFinStopsReadingClosesOnceAndReconnectsAfterBackoff) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  const iocp::CallCounts before = io.counts();
  peer.shutdown_send();
  ASSERT_TRUE(wait("connection_released", "d"));
  EXPECT_EQ(tail_from(*sink, "d", "peer_closed"),
            (std::vector<std::string>{"peer_closed", "socket_closed", "reconnect_scheduled", "state_changed",
                                      "connection_released"}));
  EXPECT_EQ(first("socket_closed", "d")["ops_outstanding"], 0);  // a FIN, not a reset
  EXPECT_EQ(io.counts().since(before)[Call::WSARecv], 0u);
  EXPECT_EQ(io.counts().since(before)[Call::closesocket], 1u);
  EXPECT_EQ(engine->live_op_contexts(), 0u);
  EXPECT_EQ(engine->live_connection_contexts(), 0u);
  EXPECT_EQ(engine->state("d"), SessionState::backoff);
  EXPECT_EQ(first("reconnect_scheduled", "d")["delay_ms"], 100);
  EXPECT_EQ(io.counts().since(before)[Call::ConnectEx], 0u);
  advance(100);
  peer.handshake();
  ASSERT_TRUE(wait("session_ready", "d", 2));
}

TEST_F(ConnectionRowTest, R5PeerResetWithAReceivePendingKillsTheConnection) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  peer.reset();
  ASSERT_TRUE(wait("connection_released", "d"));
  const auto reset = first("peer_reset", "d");
  EXPECT_EQ(reset["row"], "R5");
  EXPECT_EQ(reset["op"], "receive");
  EXPECT_EQ(sink->count("peer_closed", "d"), 0u);
  EXPECT_EQ(sink->count("reconnect_scheduled", "d"), 1u);
}

TEST_F(ConnectionRowTest, R5bResetReportedByTheIssuingWSASendIsHandledInline) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  io.arm({fault(Outcome::immediate_error).on(Call::WSASend).tag("d").error(WSAECONNRESET)});
  std::promise<CommandOutcome> outcome;
  const std::uint8_t data[] = {1, 2, 3};
  EXPECT_EQ(engine->send_command("d", 7, data, 0, [&](const CommandResult& r) { outcome.set_value(r.outcome); }),
            Submit::accepted);
  ASSERT_TRUE(wait("connection_released", "d"));
  EXPECT_EQ(first("peer_reset", "d")["row"], "R5b");
  auto answered = outcome.get_future();
  ASSERT_EQ(answered.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(answered.get(), CommandOutcome::connection_lost);
  // The reset ended the pending receive too (R5); its packet comes after our close: an abort,
  // not a second report of the peer's error.
  EXPECT_EQ(first("op_aborted", "d")["row"], "R5");
  EXPECT_EQ(first("op_aborted", "d")["op"], "receive");
  EXPECT_EQ(sink->count("peer_reset", "d"), 1u);
}

TEST_F(ConnectionRowTest, R5dResetOnAPendingSendKillsTheConnection) {
  EngineOptions o;
  o.skip_completion_port_on_success = CompletionSkip::never;  // every send completes through the port
  o.workers = 1;  // the send's packet, then the receive's the reset also ended, in that order
  start(o);
  TestDevice peer;
  connect_ready("d", peer);
  io.arm({fault(Outcome::peer_reset).on(Call::WSASend).tag("d").bytes(5)});
  const std::uint8_t data[] = {1};
  engine->send_command("d", 1, data, 0, nullptr);
  ASSERT_TRUE(wait("connection_released", "d")) << ::testing::PrintToString(sink->names_for("d"));
  const auto reset = first("peer_reset", "d");
  EXPECT_EQ(reset["row"], "R5");
  EXPECT_EQ(reset["op"], "send");
  EXPECT_EQ(sink->count("partial_send_resumed", "d"), 0u);  // bytes before a reset are not "sent"
  EXPECT_EQ(first("op_aborted", "d")["op"], "receive");     // after our close
}

TEST_F(ConnectionRowTest, R6OurOwnCloseWithAReceivePendingIsAnAbortNotAPeerError) {
  start();
  TestDevice peer;
  DeviceConfig c = device("d", peer);
  c.heartbeat_interval_ms = 1'000'000;
  c.stall_timeout_ms = 5'000;
  connect_ready("d", peer, &c);
  advance(5'000);
  ASSERT_TRUE(wait("connection_released", "d"));
  EXPECT_EQ(tail_from(*sink, "d", "stall_detected"),
            (std::vector<std::string>{"stall_detected", "socket_closed", "reconnect_scheduled", "state_changed",
                                      "op_aborted", "connection_released"}));
  EXPECT_EQ(first("socket_closed", "d")["ops_outstanding"], 1);
  EXPECT_EQ(first("op_aborted", "d")["row"], "R6");
  EXPECT_EQ(sink->count("peer_reset", "d"), 0u);
}

// 995 on a connect the engine did not cancel: what ends it when someone else closes the socket
// (R6b), or cancels it. The connect goes unanswered, then is cancelled from outside the engine.
TEST_F(ConnectionRowTest, R6bConnectEndedByACloseWeDidNotCancelIsAnAbort) {
  EngineOptions o;
  o.skip_completion_port_on_success = CompletionSkip::never;
  start(o);
  TestDevice peer;
  io.arm({fault(Outcome::connect_unanswered).tag("d")});
  const std::uint64_t connects = io.count(Call::ConnectEx);
  ASSERT_TRUE(engine->add_device(device("d", peer)));
  ASSERT_TRUE(io.wait_calls(Call::ConnectEx, connects + 1));
  io.force_now(socket_of("d"), Outcome::cancelled);
  ASSERT_TRUE(wait("connection_released", "d"));
  EXPECT_EQ(first("op_aborted", "d")["row"], "R6b");
  EXPECT_EQ(sink->count("reconnect_scheduled", "d"), 1u);
  EXPECT_EQ(sink->count("connected", "d"), 0u);
}

TEST_F(ConnectionRowTest, R7ConnectTimeoutCancelsTheConnectAndReleasesItAtItsPacket) {
  start();
  io.arm({fault(Outcome::connect_unanswered).tag("d")});
  TestDevice peer;
  ASSERT_TRUE(engine->add_device(device("d", peer)));
  ASSERT_TRUE(wait("connect_started", "d"));
  EXPECT_EQ(engine->live_op_contexts(), 1u);
  advance(5'000);
  ASSERT_TRUE(wait("connection_released", "d"));
  EXPECT_EQ(tail_from(*sink, "d", "connect_timeout"),
            (std::vector<std::string>{"connect_timeout", "cancel_requested", "op_cancelled", "socket_closed",
                                      "reconnect_scheduled", "state_changed", "connection_released"}));
  EXPECT_EQ(first("op_cancelled", "d")["row"], "R7");
  EXPECT_EQ(engine->live_op_contexts(), 0u);
}

TEST_F(ConnectionRowTest, R8ShortSendResumesAtTheFirstUnsentByte) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  io.arm({fault(Outcome::short_send).tag("d").bytes(7)});
  const std::vector<std::uint8_t> data(100, 0xAB);
  const iocp::CallCounts before = io.counts();
  ASSERT_EQ(engine->send_command("d", 9, data, 0, nullptr), Submit::accepted);
  const PeerFrame f = peer.read_frame();  // whole and CRC-valid: nothing lost or repeated
  ASSERT_EQ(f.type, proto::MessageType::command);
  const auto cmd = std::get<proto::Command>(f.decode());
  EXPECT_EQ(cmd.opcode, 9);
  EXPECT_EQ(cmd.data.size(), 100u);
  ASSERT_TRUE(wait("partial_send_resumed", "d"));
  EXPECT_EQ(first("partial_send_resumed", "d")["sent"], 7);
  EXPECT_EQ(io.counts().since(before)[Call::WSASend], 2u);
}

void stream_exactly_once(EngineHarness& h, TestDevice& peer, Recorder& recorder) {
  for (std::uint32_t i = 0; i < 500; ++i) peer.telemetry(3, i, 16);
  ASSERT_TRUE(recorder.wait_telemetry("d", 500));
  const auto got = recorder.telemetry_of("d");
  ASSERT_EQ(got.size(), 500u);  // no frame handled twice (inline and from a packet)
  for (std::uint32_t i = 0; i < 500; ++i) ASSERT_EQ(got[i].seq, i);
  EXPECT_EQ(h.sink_count("telemetry_gap", "d"), 0u);
}

TEST_F(ConnectionRowTest, R9SuccessAtOnceWithoutSkipModeIsHandledOnlyFromItsPacket) {
  EngineOptions o;
  o.skip_completion_port_on_success = CompletionSkip::never;
  start(o);
  TestDevice peer;
  connect_ready("d", peer);
  EXPECT_EQ(io.count(Call::SetFileCompletionNotificationModes), 0u);
  stream_exactly_once(*this, peer, recorder);
}

TEST_F(ConnectionRowTest, R9bSuccessAtOnceWithSkipModeIsHandledInline) {
  EngineOptions o;
  o.skip_completion_port_on_success = CompletionSkip::always;
  start(o);
  TestDevice peer;
  connect_ready("d", peer);
  EXPECT_EQ(io.count(Call::SetFileCompletionNotificationModes), 1u);  // set on the socket
  stream_exactly_once(*this, peer, recorder);
}

// R9b by default: start() tries the mode on a loopback pair of its own and uses it only if an
// at-once success then queues no packet.
TEST_F(ConnectionRowTest, R9bTheStartUpProbeUsesSkipModeWhereItIsHonoured) {
  start();  // CompletionSkip::if_honoured
  // The emulation honours it, as Windows does with IFS providers, and so does Wine 8.0.
  const auto probed = first("completion_skip_probed", "");
  EXPECT_EQ(probed["honoured"], true);
  EXPECT_EQ(probed["reason"], "honoured");
  EXPECT_TRUE(engine->skips_completion_port_on_success());
  EXPECT_EQ(first("engine_started", "")["skips_port_on_success"], engine->skips_completion_port_on_success());
  const std::uint64_t set_by_probe = io.count(Call::SetFileCompletionNotificationModes);
  EXPECT_EQ(set_by_probe, 1u);
  TestDevice peer;
  connect_ready("d", peer);
  EXPECT_EQ(io.count(Call::SetFileCompletionNotificationModes) - set_by_probe,
            engine->skips_completion_port_on_success() ? 1u : 0u);
  stream_exactly_once(*this, peer, recorder);
}

TEST_F(ConnectionRowTest, R9bAProviderThatQueuesAPacketAnywayIsFoundAndTheModeIsNotUsed) {
  io.arm({fault(Outcome::skip_mode_ignored).always()});  // TRUE, and packets still come (Wine 8)
  start();
  const auto probed = first("completion_skip_probed", "");
  EXPECT_EQ(probed["honoured"], false);
  EXPECT_EQ(probed["reason"], "packet_queued");
  EXPECT_FALSE(engine->skips_completion_port_on_success());
  const std::uint64_t set_by_probe = io.count(Call::SetFileCompletionNotificationModes);
  TestDevice peer;
  connect_ready("d", peer);
  EXPECT_EQ(io.count(Call::SetFileCompletionNotificationModes), set_by_probe);
  stream_exactly_once(*this, peer, recorder);  // each receive handled once, from its packet
}

TEST_F(ConnectionRowTest, R9bAModeTheProviderRefusesIsNotUsed) {
  io.arm({fault(Outcome::skip_mode_refused).always()});
  start();
  const auto probed = first("completion_skip_probed", "");
  EXPECT_EQ(probed["honoured"], false);
  EXPECT_EQ(probed["reason"], "notification_modes");
  EXPECT_FALSE(engine->skips_completion_port_on_success());
  TestDevice peer;
  connect_ready("d", peer);
  stream_exactly_once(*this, peer, recorder);
}

TEST_F(ConnectionRowTest, R10ImmediateReceiveFailureClosesWithoutWaitingForAPacket) {
  start();
  TestDevice peer;
  io.arm({fault(Outcome::immediate_error).on(Call::WSARecv).tag("d").error(WSAENOBUFS)});
  ASSERT_TRUE(engine->add_device(device("d", peer)));
  peer.accept();
  ASSERT_TRUE(wait("connection_released", "d"));
  const auto failed = first("io_failed", "d");
  EXPECT_EQ(failed["row"], "R10");
  EXPECT_EQ(failed["code"], WSAENOBUFS);
  EXPECT_EQ(sink->count("reconnect_scheduled", "d"), 1u);
}

TEST_F(ConnectionRowTest, R11PostedWakeUpsRunTimersAndOneSentinelStopsEachWorker) {
  EngineOptions o;
  o.workers = 3;
  start(o);
  TestDevice peer;
  connect_ready("d", peer);
  advance(1'000);  // a posted wake-up
  ASSERT_TRUE(wait("heartbeat_sent", "d"));
  engine->begin_shutdown();
  advance(10'000);
  const ShutdownReport r = engine->wait_shutdown();
  EXPECT_EQ(r.workers_joined, 3u);
  EXPECT_GE(io.count(Call::PostQueuedCompletionStatus), 3u);
  finish();
}

TEST_F(ConnectionRowTest, R12RefusedConnectIsRetriedWithExponentialBackoff) {
  start();
  DeviceConfig c = refused_device("d");
  ASSERT_TRUE(engine->add_device(c));
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  EXPECT_EQ(first("connect_failed", "d")["row"], "R12");
  EXPECT_EQ(first("connect_failed", "d")["status"], static_cast<DWORD>(STATUS_CONNECTION_REFUSED));
  advance(100);
  ASSERT_TRUE(wait("reconnect_scheduled", "d", 2));
  std::vector<int> delays;
  for (const Event& e : sink->events()) {
    if (e.name == "reconnect_scheduled") delays.push_back(e.fields["delay_ms"]);
  }
  EXPECT_EQ(delays, (std::vector<int>{100, 200}));
}

TEST_F(ConnectionRowTest, R14AndR15ManyWorkersManyDevicesEachStreamStaysSerialAndWhole) {
  EngineOptions o;
  o.workers = 4;
  o.skip_completion_port_on_success = CompletionSkip::never;  // immediate successes queue packets (R15 race)
  start(o);
  constexpr int kDevices = 4;
  std::vector<std::unique_ptr<TestDevice>> peers;
  for (int i = 0; i < kDevices; ++i) {
    peers.push_back(std::make_unique<TestDevice>());
    connect_ready(numbered("d", i), *peers.back());
  }
  for (std::uint32_t s = 0; s < 300; ++s) {
    for (auto& p : peers) p->telemetry(1, s, 8);
  }
  for (int i = 0; i < kDevices; ++i) {
    const std::string name = numbered("d", i);
    ASSERT_TRUE(recorder.wait_telemetry(name, 300));
    const auto got = recorder.telemetry_of(name);
    ASSERT_EQ(got.size(), 300u);
    for (std::uint32_t s = 0; s < 300; ++s) ASSERT_EQ(got[s].seq, s) << name;
    EXPECT_EQ(sink->count("stale_completion", name), 0u);
  }
}

// ---- exact call order, with GoogleMock expectations on a mock that otherwise forwards ----

class ConnectionCallOrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    using ::testing::_;
    log.add_sink(sink);
    // Calls made by the workers all along (waits, wake-ups) are not what these tests order.
    // Set before the workers start: GoogleMock does not allow adding an expectation on a
    // function while another thread calls it.
    EXPECT_CALL(io, PostQueuedCompletionStatus(_, _, _, _)).Times(::testing::AnyNumber());
    engine = std::make_unique<Engine>(io, clock, log);
    ASSERT_TRUE(engine->start());
  }

  // Device "d" on `peer`: its session up, then the engine's polite shutdown (BYE, the peer's
  // FIN), its report in `report`. The expectations come first (see the tests).
  void session_then_shutdown(TestDevice& peer, ShutdownReport& report) {
    DeviceConfig c;
    c.name = "d";
    c.port = peer.port();
    ASSERT_TRUE(engine->add_device(c));
    peer.handshake();
    ASSERT_TRUE(sink->wait_for("session_ready", "d"));
    engine->begin_shutdown();
    EXPECT_EQ(peer.read_frame().type, proto::MessageType::bye);
    EXPECT_TRUE(peer.read_end_of_stream());
    peer.close();
    report = engine->wait_shutdown();
  }

  DelegatingMock io;
  iocp::ManualClock clock;
  EventLog log;
  std::shared_ptr<MemorySink> sink = std::make_shared<MemorySink>();
  std::unique_ptr<Engine> engine;
};

// A send whose first buffer starts with a BYE frame (PROTOCOL.md: byte 3 of the header is the type).
MATCHER(StartsWithBye, "") {
  return arg != nullptr && arg[0].len >= 4 &&
         static_cast<std::uint8_t>(arg[0].buf[3]) == static_cast<std::uint8_t>(proto::MessageType::bye);
}

TEST_F(ConnectionCallOrderTest, ConnectBindsAssociatesAndSetsTheConnectContextBeforeAnyTransfer) {
  using ::testing::_;
  TestDevice peer;
  // R9b: the mode is set right after the association where start()'s probe found it honoured
  // (the emulation and Wine do), and never otherwise.
  const bool skips = engine->skips_completion_port_on_success();
  if (!skips) EXPECT_CALL(io, SetFileCompletionNotificationModes(_, _)).Times(0);
  {
    ::testing::InSequence in_order;
    EXPECT_CALL(io, socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    EXPECT_CALL(io, bind(_, _, _));
    EXPECT_CALL(io, CreateIoCompletionPort(_, ::testing::Ne(nullptr), _, 0));
    if (skips) {
      EXPECT_CALL(io, SetFileCompletionNotificationModes(_, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    }
    EXPECT_CALL(io, ConnectEx(_, _, _, _, _, _, _));
    EXPECT_CALL(io, setsockopt(_, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, _, _));
    EXPECT_CALL(io, setsockopt(_, IPPROTO_TCP, TCP_NODELAY, _, _));
    EXPECT_CALL(io, WSASend(_, _, 1, _, 0, _, nullptr));  // the HELLO
    EXPECT_CALL(io, WSARecv(_, _, 1, _, _, _, nullptr)).Times(::testing::AtLeast(1));
  }
  // Set before the workers can call WSASend (see the shutdown test below); being the newer, it
  // takes the BYE, which the HELLO's expectation above would otherwise also match.
  EXPECT_CALL(io, WSASend(_, StartsWithBye(), _, _, _, _, _)).Times(::testing::AnyNumber());
  ShutdownReport r;
  ASSERT_NO_FATAL_FAILURE(session_then_shutdown(peer, r));
  EXPECT_EQ(r.leaked_op_contexts + r.leaked_connection_contexts, 0u);
}

TEST_F(ConnectionCallOrderTest, ShutdownSendsByeThenHalfClosesThenClosesThenSentinelsThenThePort) {
  using ::testing::_;
  // Every expectation is set before the device is added: the workers post wake-ups (re-armed
  // timers) while the session starts, and GoogleMock does not allow adding an expectation on a
  // function while another thread calls it. So the BYE is told from the HELLO by its bytes.
  EXPECT_CALL(io, WSASend(_, _, _, _, _, _, _)).Times(::testing::AnyNumber());  // the HELLO
  {
    ::testing::InSequence in_order;
    EXPECT_CALL(io, WSASend(_, StartsWithBye(), _, _, _, _, _));
    EXPECT_CALL(io, shutdown(_, SD_SEND));
    EXPECT_CALL(io, closesocket(_));  // after the peer's FIN: nothing outstanding
    // One per worker; a worker whose batch took two passes the extra one on.
    EXPECT_CALL(io, PostQueuedCompletionStatus(_, 0, 2 /* sentinel */, nullptr)).Times(::testing::AtLeast(2));
    EXPECT_CALL(io, CloseHandle(_));
  }
  EXPECT_CALL(io, CancelIoEx(_, _)).Times(0);
  TestDevice peer;
  ShutdownReport r;
  ASSERT_NO_FATAL_FAILURE(session_then_shutdown(peer, r));
  EXPECT_TRUE(r.drained_politely);
  EXPECT_EQ(r.leaked_op_contexts + r.leaked_connection_contexts, 0u);
}

}  // namespace
}  // namespace iocpsim::engine::testing
