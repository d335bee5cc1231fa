// Op contexts and connections: issuing ConnectEx/WSARecv/WSASend, the one action per row, and
// closing. Every function here runs with the device's mutex held.
#include <cstring>
#include <exception>
#include <vector>
#include <utility>

#include "engine_impl.hpp"
#include "iocpsim/engine/planted_bug.hpp"

namespace iocpsim::engine {

using detail::Connection;
using detail::Device;
using detail::OpContext;
using detail::Outbox;

namespace detail {

Connection::Connection(Device& d, std::uint32_t gen, std::size_t receive_bytes, std::size_t queue_bytes)
    : device(d), generation(gen), receive_buffer(receive_bytes), send_queue(queue_bytes) {
  for (auto [op, kind] : {std::pair{&connect_op, OpKind::connect}, std::pair{&receive_op, OpKind::receive},
                          std::pair{&send_op, OpKind::send}}) {
    op->kind = kind;
    op->conn = this;
    op->generation = gen;
  }
}

}  // namespace detail

void Engine::Impl::park_receive(Connection& c) {
  if (!c.closed && !c.end_of_stream) c.receive_parked = true;
}

void Engine::Impl::drain(Device& d, std::unique_lock<world::Mutex>& lock) {
  // Only the draining thread touches d.delivering, so it is used without the lock.
  unsigned receives = 0;
  for (;;) {
    if (!d.outbox.empty()) {
      d.outbox.swap(d.delivering);
      lock.unlock();
      d.delivering.deliver(callbacks);
      lock.lock();
      continue;
    }
    Connection* c = d.conn;
    if (c == nullptr || !c->receive_parked) {
      d.outbox.drop_kept();  // nothing is queued nor being delivered: no item refers to them
      break;
    }
    if (receives == detail::kReceivesPerTurn) {
      resume_later(d);  // the receive stays parked; the resumed turn issues it
      break;
    }
    ++receives;
    c->receive_parked = false;
    issue_receive(d, *c, d.outbox);
    rearm(d);
  }
  d.draining = false;
}

void Engine::Impl::acquire(OpContext& op) {
  std::memset(&op.ov, 0, sizeof op.ov);
  op.in_use = true;
  op.cancelled_by_us = false;
  op.completing = false;
  ++op.conn->refs;
  ++live_ops;
}

// The one place an op context is released: at its completion, or inline for a result that
// queues no packet. The connection goes with its last reference.
void Engine::Impl::release(OpContext& op) {
  op.in_use = false;
  --live_ops;
  drop_ref(*op.conn);
}

void Engine::Impl::drop_ref(Connection& c) {
  if (--c.refs > 0) return;
  Device& d = c.device;
  const std::uint32_t generation = c.generation;
  // Telemetry queued or being delivered may still point into the receive buffer.
  if (d.draining || !d.outbox.empty()) d.outbox.keep(std::move(c.receive_buffer));
  std::erase(d.connections, &c);
  delete &c;
  --live_connections;
  emit(&d, "connection_released", {{"generation", generation}});  // after the count drops
  note_connection_freed();
}

void Engine::Impl::start_connect(Device& d, Outbox& box) {
  d.reconnect_at_ms = detail::kNever;
  set_state(d, SessionState::connecting, box);
  const SOCKET s = io.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (s == INVALID_SOCKET) {
    emit(&d, "connect_failed", {{"stage", "socket"}, {"code", io.WSAGetLastError()}});
    schedule_reconnect(d, box);
    return;
  }
  if (callbacks.on_socket) callbacks.on_socket(d.config.name, s);
  auto* c = new Connection(d, ++d.generations, options.receive_buffer_bytes, d.config.send_queue_max_bytes);
  ++live_connections;
  c->sock = s;
  d.conn = c;
  d.connections.push_back(c);
  sockaddr_in local{};
  local.sin_family = AF_INET;  // ConnectEx needs a bound socket
  const char* stage = nullptr;
  if (io.bind(s, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
    stage = "bind";
  } else if (io.CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), port, reinterpret_cast<ULONG_PTR>(c), 0) ==
             nullptr) {
    stage = "associate";
  } else if (skip_on_success && !io.SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(s),
                                                                       FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)) {
    stage = "notification_modes";
  }
  if (stage != nullptr) {
    emit(&d, "connect_failed", {{"stage", stage}, {"code", io.WSAGetLastError()}});
    fail_and_reconnect(d, *c, box);
    return;
  }
  emit(&d, "connect_started", {{"generation", c->generation}});
  d.connect_deadline_ms = now_ms() + d.config.connect_timeout_ms;
  OpContext& op = c->connect_op;
  acquire(op);
  DWORD sent = 0;
  const BOOL ok =
      io.ConnectEx(s, reinterpret_cast<const sockaddr*>(&d.address), sizeof d.address, nullptr, 0, &sent, &op.ov);
  handle_issue_result(d, op, ok ? 0 : SOCKET_ERROR, sent, box);
}

void Engine::Impl::issue_receive(Device& d, Connection& c, Outbox& box) {
  if (c.closed || c.end_of_stream || c.receive_op.in_use) return;
  OpContext& op = c.receive_op;
  acquire(op);
  op.requested = static_cast<DWORD>(c.receive_buffer.size);
  WSABUF buf{op.requested, reinterpret_cast<CHAR*>(c.receive_buffer.data())};
  DWORD received = 0;
  DWORD flags = 0;
  const int rc = io.WSARecv(c.sock, &buf, 1, &received, &flags, &op.ov, nullptr);
  handle_issue_result(d, op, rc, received, box);
}

void Engine::Impl::pump_send(Device& d, Connection& c, Outbox& box) {
  // A send that completes inline (R9b) loops here rather than recursing.
  if (c.pumping) return;
  c.pumping = true;
  ++c.refs;  // an inline failure may close c and release its last op while we loop
  try {
    pump_send_loop(d, c, box);
  } catch (...) {
    c.pumping = false;
    drop_ref(c);
    throw;
  }
  c.pumping = false;
  drop_ref(c);
}

void Engine::Impl::pump_send_loop(Device& d, Connection& c, Outbox& box) {
  while (!c.closed && !c.send_op.in_use) {
    const auto chunk = c.send_queue.next_chunk();
    if (chunk.empty()) {
      if (c.half_close_when_flushed && !c.half_closed) half_close(d, c);
      break;
    }
    OpContext& op = c.send_op;
    acquire(op);
    op.requested = static_cast<DWORD>(chunk.size());
    WSABUF buf{op.requested, reinterpret_cast<CHAR*>(chunk.data())};
    DWORD sent = 0;
    const int rc = io.WSASend(c.sock, &buf, 1, &sent, 0, &op.ov, nullptr);
    handle_issue_result(d, op, rc, sent, box);
  }
}

// What an issuing call answered (R9, R9b, R5b, R10, or pending), through classify().
void Engine::Impl::handle_issue_result(Device& d, OpContext& op, int rc, DWORD bytes, Outbox& box) {
  Observation o;
  o.source = Observation::Source::issue_result;
  o.error = rc == 0 ? 0 : static_cast<DWORD>(io.WSAGetLastError());
  o.kind = op.kind;
  o.requested_bytes = op.requested;
  o.skip_port_on_success = skip_on_success;
  const CompletionRow row = classify(o);
  if (row == CompletionRow::pending || row == CompletionRow::r9_done_packet_follows) return;
  if (row == CompletionRow::r9b_done_inline) {
    // No packet will come: handle it as the completion it is (R1, R4, R8 ...).
    Observation done;
    done.kind = op.kind;
    done.has_overlapped = true;
    done.bytes = bytes;
    done.requested_bytes = op.requested;
    handle_completion(d, op, classify(done), bytes, 0, box);
    return;
  }
  handle_completion(d, op, row, bytes, o.error, box);
}

// The one action per row (IOCP-SEMANTICS.md). The op is released last, so the connection is
// alive throughout.
void Engine::Impl::handle_completion(Device& d, OpContext& op, CompletionRow row, DWORD bytes, DWORD code,
                                     Outbox& box) {
  Connection& c = *op.conn;
  op.completing = true;
  try {
    act_on_row(d, op, row, bytes, code, box);
  } catch (const std::exception& e) {
    contain_exception(d, &c, to_string(op.kind), e.what(), box);
  } catch (...) {
    contain_exception(d, &c, to_string(op.kind), "not a std::exception", box);
  }
  // The next send can start only once this one's context is free again. A connection that is
  // not closed still has the device's reference, so it outlives the release.
  const bool send_more = op.kind == OpKind::send && !c.closed;
  if (row == CompletionRow::r7_cancelled && testing::planted_bug() == testing::PlantedBug::cancelled_op_kept) return;
  release(op);
  if (send_more) pump_send(d, c, box);
}

void Engine::Impl::act_on_row(Device& d, OpContext& op, CompletionRow row, DWORD bytes, DWORD code, Outbox& box) {
  Connection& c = *op.conn;
  // Built only for the rows that report an event: not on the per-message path.
  const auto where = [&] { return nlohmann::json{{"row", to_string(row)}, {"op", to_string(op.kind)}}; };
  switch (row) {
    case CompletionRow::r1_success:
      if (op.kind == OpKind::connect) on_connected(d, c, box);
      if (op.kind == OpKind::receive) on_received(d, c, bytes, box);
      if (op.kind == OpKind::send) on_sent(d, c, bytes, row, box);
      break;
    case CompletionRow::r8_short_send:
      on_sent(d, c, bytes, row, box);
      break;
    case CompletionRow::r4_end_of_stream:
      on_end_of_stream(d, c, box);
      break;
    case CompletionRow::r13_zero_byte_receive:
    case CompletionRow::r16_truncated:
    case CompletionRow::r16b_port_unreachable:
      // Not fatal: read again (the engine only issues full-buffer TCP receives, so these are
      // never expected here; they are named so that nothing falls through unhandled).
      emit(&d, "unexpected_completion", where());
      if (op.kind == OpKind::receive) park_receive(c);
      break;
    case CompletionRow::r5_peer_reset:
    case CompletionRow::r5b_reset_on_issue:
      if (c.closed) {
        emit(&d, "op_aborted", where());
        break;
      }
      emit(&d, "peer_reset", {{"row", to_string(row)}, {"op", to_string(op.kind)}, {"bytes", bytes}});
      fail_and_reconnect(d, c, box);
      break;
    case CompletionRow::r6_local_abort:
    case CompletionRow::r6b_aborted:
    case CompletionRow::r7_cancelled:
      // Our own close or cancel ended it: not the peer's error. Our flags say what comes next.
      emit(&d, row == CompletionRow::r7_cancelled ? "op_cancelled" : "op_aborted", where());
      if (!c.closed) fail_and_reconnect(d, c, box);
      break;
    case CompletionRow::r12_connect_failed:
      emit(&d, "connect_failed", {{"row", to_string(row)}, {"status", code}});
      fail_and_reconnect(d, c, box);
      break;
    default:  // R10, and a failure status no row names
      emit(&d, "io_failed", {{"row", to_string(row)}, {"op", to_string(op.kind)}, {"code", code}});
      if (!c.closed) fail_and_reconnect(d, c, box);
      break;
  }
}

// Nothing a device sends may end a worker: an exception out of one connection's handling closes
// that connection (a reconnect follows) and the worker carries on. What threw may have been an
// event sink, so a failure to report it or to close is swallowed here, not rethrown.
void Engine::Impl::contain_exception(Device& d, Connection* c, const char* op, const char* what, Outbox& box) noexcept {
  try {
    nlohmann::json fields{{"op", op}};
    put_device_text(fields, "what", what);
    emit(&d, "handler_exception", std::move(fields));
  } catch (...) {
  }
  try {
    if (c != nullptr && !c->closed) fail_and_reconnect(d, *c, box);
  } catch (...) {
  }
}

// Closes the socket exactly once. Outstanding ops complete later with R6 (an abortive close,
// R6c), each releasing its own context; polite closes (after the peer's FIN, with nothing
// outstanding) reach here with no ops left.
void Engine::Impl::close_connection(Device& d, Connection& c, Outbox& box) {
  if (c.closed) return;
  c.closed = true;
  const bool current = d.conn == &c;
  SessionDriverOf driver(*this, d, &c, box);
  if (current) d.session.report_suppressed(driver);  // what this connection's frames caused, before it goes
  io.closesocket(c.sock);
  emit(&d, "socket_closed", {{"generation", c.generation}, {"ops_outstanding", c.ops_owed()}});
  const bool send_in_flight = c.send_op.in_use && !c.send_op.completing;
  if (const std::size_t dropped = c.send_queue.discard_unsent(send_in_flight); dropped > 0) {
    emit(&d, "send_queue_discarded", {{"bytes", dropped}});
  }
  if (current) {
    d.conn = nullptr;
    d.session.on_closed(stopping.load() ? CommandOutcome::shutdown : CommandOutcome::connection_lost, driver);
    d.connect_deadline_ms = d.drain_deadline_ms = detail::kNever;
  }
  drop_ref(c);  // the device's reference; c may be gone now
}

void Engine::Impl::fail_and_reconnect(Device& d, Connection& c, Outbox& box) {
  const bool current = d.conn == &c;
  close_connection(d, c, box);
  if (current) schedule_reconnect(d, box);
}

void Engine::Impl::half_close(Device& d, Connection& c) {
  c.half_closed = true;
  if (io.shutdown(c.sock, SD_SEND) != 0) {
    emit(&d, "half_close_failed", {{"code", io.WSAGetLastError()}});
    return;
  }
  emit(&d, "half_closed", {{"generation", c.generation}});
}

void Engine::Impl::cancel_op(Device& d, OpContext& op) {
  if (!op.in_use) return;
  op.cancelled_by_us = true;
  Connection& c = *op.conn;
  if (io.CancelIoEx(reinterpret_cast<HANDLE>(c.sock), &op.ov)) {
    emit(&d, "cancel_requested", {{"op", to_string(op.kind)}});
    return;
  }
  // 1168: it raced to completion; its packet is on the way and releases it (R7).
  emit(&d, "cancel_raced", {{"op", to_string(op.kind)}, {"error", io.GetLastError()}});
}

}  // namespace iocpsim::engine
