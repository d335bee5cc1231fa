// Shutdown as DESIGN.md describes it: stop new work, say goodbye, half-close, wait a bounded
// time for each peer's FIN, cancel and close what is left, dequeue every aborted completion
// (which frees every context), then one posted sentinel per worker, join, close the port, and
// report what leaked (it must be nothing).
#include <chrono>
#include <vector>

#include "engine_impl.hpp"

namespace iocpsim::engine {

using detail::Connection;
using detail::Device;
using detail::kNever;
using detail::Outbox;

void Engine::Impl::begin_drain(Device& d, Outbox& box) {
  // A removed device is already draining (or done) when the engine shuts down.
  if (d.state == SessionState::closing || d.state == SessionState::stopped) return;
  d.reconnect_at_ms = kNever;
  SessionDriverOf driver(*this, d, d.conn, box);
  d.session.fail_commands(CommandOutcome::shutdown, driver);
  Connection* c = d.conn;
  if (c == nullptr) {
    set_state(d, SessionState::stopped, box);
    return;
  }
  set_state(d, SessionState::closing, box);
  const std::int64_t now = now_ms();
  d.drain_deadline_ms = now + options.shutdown_timeout_ms;
  d.connect_deadline_ms = kNever;
  d.session.begin_closing(now, driver);  // BYE queued, if the connection is up
  if (!c->connected) {
    cancel_op(d, c->connect_op);  // its R7 packet closes the socket
    return;
  }
  // After the BYE is out: shutdown(SD_SEND), then the peer's FIN (R4) closes the socket with
  // nothing outstanding, so the close is a FIN and not a reset (R6c).
  c->half_close_when_flushed = true;
  pump_send(d, *c, box);
}

void Engine::Impl::force_close(Device& d, Outbox& box) {
  Connection* c = d.conn;
  if (c != nullptr) {
    for (detail::OpContext* op : {&c->connect_op, &c->receive_op, &c->send_op}) cancel_op(d, *op);
    close_connection(d, *c, box);  // the cancelled ops' packets release them (R7)
  }
  set_state(d, SessionState::stopped, box);
}

void Engine::Impl::note_connection_freed() {
  std::lock_guard lock(drain_mutex);
  drained.notify_all();
}

// True when every context is free. Also returns (false) as soon as the port is lost: what is
// still outstanding then can only be abandoned.
bool Engine::Impl::wait_connections_closed(std::int64_t ceiling_ms) {
  const auto nothing_live = [&] { return live_connections.load() == 0 && live_ops.load() == 0; };
  std::unique_lock lock(drain_mutex);
  drained.wait_for(lock, std::chrono::milliseconds(ceiling_ms), [&] { return nothing_live() || port_lost(); });
  return nothing_live();
}

// R3: the port handle was closed under the workers (someone else's CloseHandle), so every worker
// has left and no completion will ever be dequeued: the packets of the operations still
// outstanding went nowhere. Closing each socket ends those operations (closesocket aborts what
// is pending; no buffer is read or written after it returns), and their contexts are released
// here, without a packet. Runs after every worker has been joined.
void Engine::Impl::abandon_ops_of_lost_port() {
  for (Device* d : all_devices()) {
    with_device(*d, [&](Outbox& box) { abandon_ops(*d, box); });
  }
}

void Engine::Impl::abandon_ops(Device& d, Outbox& box) {
  if (d.conn != nullptr) close_connection(d, *d.conn, box);
  set_state(d, SessionState::stopped, box);
  const std::vector<Connection*> left = d.connections;  // releasing may free any of them
  for (Connection* c : left) {
    ++c->refs;  // c stays until all of its ops are released
    if (!c->closed) close_connection(d, *c, box);
    for (detail::OpContext* op : {&c->connect_op, &c->receive_op, &c->send_op}) {
      if (!op->in_use) continue;
      emit(&d, "op_abandoned", {{"row", "R3"}, {"op", to_string(op->kind)}, {"generation", c->generation}});
      release(*op);
    }
    drop_ref(*c);
  }
}

void Engine::begin_shutdown() {
  Impl& m = *impl_;
  if (!m.started || m.stopping.exchange(true)) return;
  m.emit(nullptr, "shutdown_started", {{"timeout_ms", m.options.shutdown_timeout_ms}});
  for (Device* d : m.all_devices()) {
    m.with_device(*d, [&](Outbox& box) { m.begin_drain(*d, box); });
  }
}

ShutdownReport Engine::wait_shutdown() {
  Impl& m = *impl_;
  ShutdownReport report;
  if (!m.started || m.finished) return report;
  begin_shutdown();
  // The drain bound runs on the engine clock (per-device shutdown_forced timers); this real-time
  // ceiling only guards against a clock that never moves.
  report.drained_politely = m.wait_connections_closed(m.options.drain_ceiling_ms);
  if (!report.drained_politely && !m.port_lost()) {
    m.emit(nullptr, "shutdown_ceiling_reached", {{"ceiling_ms", m.options.drain_ceiling_ms}});
    for (Device* d : m.all_devices()) {
      m.with_device(*d, [&](Outbox& box) { m.force_close(*d, box); });
    }
    m.wait_connections_closed(m.options.drain_ceiling_ms);
  }
  // Every op has completed and been dequeued: only now wake each worker with its sentinel.
  for (std::size_t i = 0; i < m.workers.size(); ++i) m.post(detail::kSentinelKey);
  for (world::Thread& t : m.workers) {
    t.join();
    ++report.workers_joined;
  }
  m.workers.clear();
  if (m.port_lost()) {
    m.abandon_ops_of_lost_port();
  } else {
    m.io.CloseHandle(m.port);  // a lost port's handle was closed by whoever closed it
  }
  m.port = nullptr;
  report.leaked_op_contexts = m.live_ops.load();
  report.leaked_connection_contexts = m.live_connections.load();
  std::size_t forced = 0;
  for (Device* d : m.all_devices()) forced += m.log.counter(d->config.name, "shutdown_forced");
  report.drained_politely = report.drained_politely && forced == 0;
  m.emit(nullptr, "shutdown_drained",
         {{"leaked_op_contexts", report.leaked_op_contexts},
          {"leaked_connection_contexts", report.leaked_connection_contexts},
          {"workers_joined", report.workers_joined},
          {"polite", report.drained_politely}});
  m.finished = true;
  return report;
}

}  // namespace iocpsim::engine
