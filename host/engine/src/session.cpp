// The engine's side of each device's ProtocolSession (protocol_session.hpp): completions become
// bytes and times for the session, its verdicts become closes and reconnects. Runs with the
// device's mutex held.
#include <cstdint>
#include <utility>

#include "engine_impl.hpp"
#include "iocpsim/engine/planted_bug.hpp"

namespace iocpsim::engine {

using detail::Connection;
using detail::Device;
using detail::Outbox;
using detail::Verdict;

void Engine::Impl::on_connected(Device& d, Connection& c, Outbox& box) {
  if (c.closed) return;
  d.connect_deadline_ms = detail::kNever;
  // ConnectEx leaves the socket without its connect context: shutdown() and getpeername()
  // fail until it is set.
  if (io.setsockopt(c.sock, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0) != 0) {
    emit(&d, "io_failed", {{"op", "update_connect_context"}, {"code", io.WSAGetLastError()}});
    fail_and_reconnect(d, c, box);
    return;
  }
  const int on = 1;
  io.setsockopt(c.sock, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&on), sizeof on);
  c.connected = true;
  emit(&d, "connected", {{"generation", c.generation}});
  set_state(d, SessionState::handshaking, box);
  SessionDriverOf driver(*this, d, &c, box);
  d.session.on_connected(now_ms(), c.send_queue, driver);
  park_receive(c);  // with_device() issues it
}

void Engine::Impl::on_received(Device& d, Connection& c, DWORD bytes, Outbox& box) {
  if (c.closed) return;
  SessionDriverOf driver(*this, d, &c, box);
  if (d.session.on_bytes(now_ms(), protocol::Bytes(c.receive_buffer.data(), bytes), driver) == Verdict::close &&
      !c.closed) {
    fail_and_reconnect(d, c, box);
    return;
  }
  // Reassembly continues across receives; the next one waits until these frames are delivered.
  park_receive(c);
}

void Engine::Impl::on_sent(Device& d, Connection& c, DWORD bytes, CompletionRow row, Outbox& box) {
  if (c.closed) return;
  if (row == CompletionRow::r8_short_send && testing::planted_bug() == testing::PlantedBug::short_send_taken_as_whole) {
    bytes = c.send_op.requested;  // the planted bug: the unsent rest is dropped
  }
  c.send_queue.sent(bytes);
  d.session.on_sent(now_ms(), bytes, c.send_queue.empty());
  if (row == CompletionRow::r8_short_send) {
    // R8: the rest goes out from the first unsent byte.
    emit(&d, "partial_send_resumed", {{"sent", bytes}, {"requested", c.send_op.requested}});
  }
  if (c.close_after_send) fail_and_reconnect(d, c, box);  // R4 waited for this send to finish
}

// R4: the peer will send nothing more. Stop reading; a send in flight finishes first.
void Engine::Impl::on_end_of_stream(Device& d, Connection& c, Outbox& box) {
  if (c.closed) return;
  c.end_of_stream = true;
  emit(&d, "peer_closed",
       {{"row", "R4"}, {"after_bye", d.session.peer_said_bye()}, {"send_in_flight", c.send_op.in_use}});
  if (c.send_op.in_use) {
    c.close_after_send = true;
    return;
  }
  fail_and_reconnect(d, c, box);
}

Submit Engine::Impl::submit_command(Device& d, std::uint16_t opcode, std::span<const std::uint8_t> data,
                                    std::uint32_t timeout_ms, CommandCallback& done, Outbox& box) {
  SessionDriverOf driver(*this, d, d.conn, box);  // not_ready unless the session is ready
  return d.session.submit_command(now_ms(), opcode, data, timeout_ms, done, driver);
}

}  // namespace iocpsim::engine
