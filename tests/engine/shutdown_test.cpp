// Shutdown as DESIGN.md describes it: stop new work, BYE, half-close, bounded wait, cancel,
// close, dequeue every aborted completion, free every context, one sentinel per worker, join,
// close the port, and report zero leaks.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>

#include "engine_harness.hpp"

namespace iocpsim::engine::testing {
namespace {

namespace proto = iocpsim::protocol;

using ShutdownTest = EngineHarness;

// The calls the shim journaled since `mark` (a Journal::appended()), keeping only those in
// `keep`, in order. Read once they have all returned.
std::vector<Call> calls_after(const iocp::Journal& journal, std::size_t mark, const std::vector<Call>& keep) {
  std::vector<Call> out;
  for (const iocp::JournalEntry& e : journal.entries(mark)) {
    if (e.batch_entry) continue;  // one entry of a batch, not a call
    if (std::find(keep.begin(), keep.end(), e.call) != keep.end()) out.push_back(e.call);
  }
  return out;
}

TEST_F(ShutdownTest, PeersThatAnswerTheByeWithTheirFinDrainPolitelyWithoutAReset) {
  start();
  std::vector<std::unique_ptr<TestDevice>> peers;
  for (int i = 0; i < 3; ++i) {
    peers.push_back(std::make_unique<TestDevice>());
    connect_ready(numbered("d", i), *peers.back());
  }
  const std::size_t mark = io.journal().appended();
  engine->begin_shutdown();
  for (auto& p : peers) {
    const PeerFrame bye = p->read_frame();
    ASSERT_EQ(bye.type, proto::MessageType::bye);
    EXPECT_EQ(std::get<proto::Bye>(bye.decode()).reason, proto::ByeReason::shutting_down);
    EXPECT_TRUE(p->read_end_of_stream());  // the engine's half-close
    p->close();                            // our FIN answers it
  }
  const ShutdownReport r = engine->wait_shutdown();
  EXPECT_TRUE(r.drained_politely);
  EXPECT_EQ(r.leaked_op_contexts, 0u);
  EXPECT_EQ(r.leaked_connection_contexts, 0u);
  EXPECT_EQ(r.workers_joined, 2u);
  EXPECT_EQ(sink->count("shutdown_forced"), 0u);
  EXPECT_EQ(sink->count("peer_closed"), 3u);
  // Per connection: the BYE goes out, then the half-close, then (after the peer's FIN) the
  // close with nothing outstanding; no cancel was needed. Sentinels, then the port.
  // The workers have been joined: every call has returned, and the journal may be read.
  const auto calls =
      calls_after(io.journal(), mark, {Call::shutdown, Call::CancelIoEx, Call::closesocket, Call::CloseHandle});
  EXPECT_EQ(std::count(calls.begin(), calls.end(), Call::shutdown), 3);
  EXPECT_EQ(std::count(calls.begin(), calls.end(), Call::CancelIoEx), 0);
  EXPECT_EQ(std::count(calls.begin(), calls.end(), Call::closesocket), 3);
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), Call::CloseHandle);
  for (const Event& e : sink->events()) {
    if (e.name == "socket_closed") {
      EXPECT_EQ(e.fields["ops_outstanding"], 0);
    }
  }
  finish();
}

TEST_F(ShutdownTest, WithEverythingPendingOnManyDevicesItDrainsWithinItsBoundAndLeaksNothing) {
  EngineOptions o;
  o.workers = 3;
  start(o);
  constexpr int kReady = 8;
  std::vector<std::unique_ptr<TestDevice>> peers;
  for (int i = 0; i < kReady; ++i) {
    peers.push_back(std::make_unique<TestDevice>());
    connect_ready(numbered("r", i), *peers.back());
  }
  std::atomic<int> shutdown_answers{0};
  for (int i = 0; i < kReady; ++i) {  // queued commands, never answered
    for (int k = 0; k < 3; ++k) {
      ASSERT_EQ(engine->send_command(numbered("r", i), 1, {}, 60'000,
                                     [&](const CommandResult& r) {
                                       if (r.outcome == CommandOutcome::shutdown) ++shutdown_answers;
                                     }),
                Submit::accepted);
    }
  }
  io.arm({fault(Outcome::connect_unanswered).always()});  // two devices with a connect pending
  TestDevice pending_a, pending_b;
  ASSERT_TRUE(engine->add_device(device("c0", pending_a)));
  ASSERT_TRUE(engine->add_device(device("c1", pending_b)));
  ASSERT_TRUE(wait("connect_started", "c1"));
  EXPECT_EQ(engine->live_connection_contexts(), static_cast<std::size_t>(kReady + 2));

  engine->begin_shutdown();
  EXPECT_EQ(engine->send_command("r0", 1, {}, 0, nullptr), Submit::shutting_down);
  EXPECT_FALSE(engine->add_device(device("late", pending_a)));
  advance(2'000);  // the peers never answer the BYE: the bound runs out
  const ShutdownReport r = engine->wait_shutdown();
  EXPECT_FALSE(r.drained_politely);
  EXPECT_EQ(r.leaked_op_contexts, 0u);
  EXPECT_EQ(r.leaked_connection_contexts, 0u);
  EXPECT_EQ(r.workers_joined, 3u);
  EXPECT_EQ(shutdown_answers.load(), kReady * 3);
  for (int i = 0; i < kReady; ++i) {
    EXPECT_EQ(sink->count("shutdown_forced", numbered("r", i)), 1u);
  }
  EXPECT_EQ(sink->count("connection_released"), static_cast<std::size_t>(kReady + 2));
  for (int i = 0; i < kReady; ++i) {
    EXPECT_EQ(engine->state(numbered("r", i)), SessionState::stopped);
  }
  const Event last = sink->events().back();
  EXPECT_EQ(last.name, "shutdown_drained");
  EXPECT_EQ(last.fields["leaked_op_contexts"], 0);
  EXPECT_EQ(last.fields["leaked_connection_contexts"], 0);
  finish();
}

TEST_F(ShutdownTest, ADeviceBackingOffStopsAtOnce) {
  start();
  DeviceConfig c = refused_device("d");
  ASSERT_TRUE(engine->add_device(c));
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  const ShutdownReport r = engine->shutdown();
  EXPECT_TRUE(r.drained_politely);
  EXPECT_EQ(engine->state("d"), SessionState::stopped);
  EXPECT_EQ(r.leaked_connection_contexts, 0u);
  finish();
}

}  // namespace
}  // namespace iocpsim::engine::testing
