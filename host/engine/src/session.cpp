// The device protocol over one connection: handshake, frames in, frames out. Runs with the
// device's mutex held.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "engine_impl.hpp"

namespace iocpsim::engine {

using detail::Connection;
using detail::Device;
using detail::Outbox;
namespace proto = iocpsim::protocol;

bool Engine::Impl::queue_frame(Device& d, Connection& c, const proto::Message& m,
                               std::uint16_t flags) {
  const proto::EncodeResult r = c.send_queue.push(m, d.tx_seq, flags, options.max_frame_bytes);
  if (!r) {
    emit_limited(d, "send_queue_full", [&] {
      return nlohmann::json{{"type", proto::to_string(proto::type_of(m))}, {"frame_bytes", r.size},
                            {"queued_bytes", c.send_queue.bytes()},
                            {"error", proto::to_string(r.error)}};
    });
    return false;
  }
  ++d.tx_seq;
  const std::int64_t now = now_ms();
  if (d.heartbeat_interval_ms > 0) d.heartbeat_due_ms = now + d.heartbeat_interval_ms;
  // From the first byte waiting to go out, the peer has send_stall_timeout_ms to take some.
  if (d.send_progress_deadline_ms == detail::kNever && d.config.send_stall_timeout_ms > 0) {
    d.send_progress_deadline_ms = now + d.config.send_stall_timeout_ms;
  }
  return true;
}

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
  const std::int64_t now = now_ms();
  d.handshake_deadline_ms = now + d.config.handshake_timeout_ms;
  d.stall_deadline_ms = now + d.config.stall_timeout_ms;
  d.heartbeat_interval_ms = 0;
  d.tx_seq = 1;  // PROTOCOL.md 6.2: the first frame on a connection has seq 1
  d.next_channel_seq.clear();
  proto::Hello hello{d.config.min_version, d.config.max_version, d.config.capabilities,
                     options.host_id};
  if (queue_frame(d, c, hello, proto::kFlagReplyExpected)) {
    emit(&d, "hello_sent", {{"min_version", d.config.min_version},
                            {"max_version", d.config.max_version}});
  }
  pump_send(d, c, box);
  park_receive(c);  // with_device() issues it
}

void Engine::Impl::on_received(Device& d, Connection& c, DWORD bytes, Outbox& box) {
  if (c.closed) return;
  d.stall_deadline_ms = now_ms() + d.config.stall_timeout_ms;
  proto::Bytes input(c.receive_buffer.data(), bytes);
  while (!c.closed) {
    const proto::DecodeResult r = c.decoder.put(input);
    input = input.subspan(r.consumed);
    if (r.status == proto::DecodeStatus::error) {
      emit(&d, "protocol_error", {{"error", proto::to_string(r.error)},
                                  {"offset", r.error_offset}});
      fail_and_reconnect(d, c, box);
      return;
    }
    if (r.status == proto::DecodeStatus::need_more) break;
    on_frame(d, c, r.frame, box);
  }
  // Reassembly continues across receives; the next one waits until these frames are delivered.
  park_receive(c);
}

void Engine::Impl::on_sent(Device& d, Connection& c, DWORD bytes, CompletionRow row, Outbox& box) {
  if (c.closed) return;
  c.send_queue.sent(bytes);
  if (bytes > 0) {  // progress: the peer is reading; the clock restarts for what is left
    d.send_progress_deadline_ms = c.send_queue.empty() || d.config.send_stall_timeout_ms == 0
                                      ? detail::kNever
                                      : now_ms() + d.config.send_stall_timeout_ms;
  }
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
  emit(&d, "peer_closed", {{"row", "R4"}, {"after_bye", c.peer_said_bye},
                           {"send_in_flight", c.send_op.in_use}});
  if (c.send_op.in_use) {
    c.close_after_send = true;
    return;
  }
  fail_and_reconnect(d, c, box);
}

// Telemetry in a session is nearly every frame of a busy connection: it is told apart here, in
// a function small enough to inline into the receive loop, and everything else goes to
// on_other_frame().
void Engine::Impl::on_frame(Device& d, Connection& c, const proto::Frame& f, Outbox& box) {
  if (const auto* t = std::get_if<proto::Telemetry>(&f.message);
      t != nullptr && (d.state == SessionState::ready || d.state == SessionState::closing)) {
    return on_telemetry(d, c, *t, box);
  }
  on_other_frame(d, c, f, box);
}

void Engine::Impl::on_other_frame(Device& d, Connection& c, const proto::Frame& f, Outbox& box) {
  const proto::Message& m = f.message;
  if (const auto* ack = std::get_if<proto::HelloAck>(&m)) return on_hello_ack(d, c, *ack, box);
  // PROTOCOL.md 6.1.3: before HELLO_ACK the device may only refuse, with ERROR and BYE; those
  // are reported as in a session (the reason must reach the operator), anything else is not.
  const bool refusal = std::holds_alternative<proto::Error>(m) || std::holds_alternative<proto::Bye>(m);
  if (d.state != SessionState::ready && d.state != SessionState::closing &&
      !(refusal && d.state == SessionState::handshaking)) {
    unexpected_message(d, proto::to_string(f.header.type));
    return;
  }
  if (const auto* hb = std::get_if<proto::Heartbeat>(&m)) {
    queue_frame(d, c, proto::HeartbeatAck{hb->nonce}, 0);
    pump_send(d, c, box);
  } else if (const auto* hba = std::get_if<proto::HeartbeatAck>(&m)) {
    if (hba->nonce == d.heartbeat_nonce) d.heartbeat_ack_deadline_ms = detail::kNever;
  } else if (const auto* rsp = std::get_if<proto::Response>(&m)) {
    on_response(d, *rsp, box);
  } else if (const auto* ev = std::get_if<proto::Event>(&m)) {
    emit(&d, "device_event", {{"event_id", ev->event_id}, {"severity", static_cast<int>(ev->severity)},
                              {"code", ev->code}});
    box.device_event({ev->event_id, static_cast<std::uint8_t>(ev->severity), ev->code,
                      ev->timestamp_us, ev->text});
  } else if (const auto* bye = std::get_if<proto::Bye>(&m)) {
    c.peer_said_bye = true;
    nlohmann::json fields{{"reason", static_cast<int>(bye->reason)}};
    put_device_text(fields, "text", bye->text);
    emit(&d, "peer_bye", std::move(fields));
  } else if (const auto* err = std::get_if<proto::Error>(&m)) {
    nlohmann::json fields{{"code", static_cast<int>(err->code)}, {"ref_seq", err->ref_seq}};
    put_device_text(fields, "text", err->text);
    emit(&d, "device_error", std::move(fields));
  } else {
    unexpected_message(d, proto::to_string(f.header.type));
  }
}

void Engine::Impl::unexpected_message(Device& d, const char* type) {
  emit_limited(d, "unexpected_message",
               [&] { return nlohmann::json{{"type", type}, {"state", to_string(d.state)}}; });
}

void Engine::Impl::on_hello_ack(Device& d, Connection& c, const proto::HelloAck& m, Outbox& box) {
  if (d.state != SessionState::handshaking) {
    unexpected_message(d, "hello_ack");
    return;
  }
  d.handshake_deadline_ms = detail::kNever;
  if (m.version < d.config.min_version || m.version > d.config.max_version) {
    emit(&d, "handshake_failed", {{"reason", "version"}, {"version", m.version},
                                  {"min_version", d.config.min_version},
                                  {"max_version", d.config.max_version}});
    fail_and_reconnect(d, c, box);
    return;
  }
  d.session_ready_ms = now_ms();  // the backoff resets if the session lives long enough
  const std::uint32_t asked = m.heartbeat_interval_ms;
  const std::uint32_t held = asked == 0 ? 0
                                        : std::clamp(asked, d.config.heartbeat_interval_min_ms,
                                                     std::max(d.config.heartbeat_interval_min_ms,
                                                              d.config.heartbeat_interval_max_ms));
  d.heartbeat_interval_ms = held != 0 ? std::min(held, d.config.heartbeat_interval_ms)
                                      : d.config.heartbeat_interval_ms;
  d.heartbeat_due_ms = d.session_ready_ms + d.heartbeat_interval_ms;
  nlohmann::json fields{{"version", m.version}, {"capabilities", m.capabilities},
                        {"heartbeat_interval_ms", d.heartbeat_interval_ms}};
  if (held != asked) {
    fields["heartbeat_interval_clamped"] = true;
    fields["heartbeat_interval_requested_ms"] = asked;
  }
  put_device_text(fields, "device_id", m.device_id);
  put_device_text(fields, "firmware", m.firmware);
  emit(&d, "session_ready", std::move(fields));
  set_state(d, SessionState::ready, box);
}

void Engine::Impl::on_telemetry(Device& d, const Connection& c, const proto::Telemetry& m,
                                Outbox& box) {
  // A device has a few channels: a plain scan beats std::find_if's unrolled one here.
  std::uint32_t* next = nullptr;
  for (auto& [channel, next_seq] : d.next_channel_seq) {
    if (channel == m.channel) {
      next = &next_seq;
      break;
    }
  }
  if (next != nullptr && *next == m.channel_seq) [[likely]] {
    *next = m.channel_seq + 1;
  } else {
    track_unusual_seq(d, next, m.channel, m.channel_seq);
  }
  // Samples decoded where they lie in the receive buffer stay there until delivered (the next
  // receive waits for that); those of a frame reassembled inside the decoder are copied.
  const auto begin = reinterpret_cast<std::uintptr_t>(c.receive_buffer.data());
  const auto at = reinterpret_cast<std::uintptr_t>(m.samples.data());
  const bool in_buffer = !m.samples.empty() && at >= begin &&
                         at + m.samples.size() <= begin + c.receive_buffer.size;
  if (in_buffer) {
    box.telemetry_in_place(m.channel, m.channel_seq, m.timestamp_us, m.samples);
  } else {
    box.telemetry(m.channel, m.channel_seq, m.timestamp_us, m.samples);
  }
}

// A channel's first frame (`next` null), or one that is not the next of its sequence. A gap (or a
// step back) is never silent. Out of line: the per-frame path above stays small.
void Engine::Impl::track_unusual_seq(Device& d, std::uint32_t* next, std::uint16_t channel,
                                     std::uint32_t seq) {
  if (next == nullptr) {
    d.next_channel_seq.emplace_back(channel, seq + 1);
    return;
  }
  emit_limited(d, "telemetry_gap", [&] {
    return nlohmann::json{{"channel", channel}, {"expected", *next}, {"got", seq}};
  });
  *next = seq + 1;
}

void Engine::Impl::on_response(Device& d, const proto::Response& m, Outbox& box) {
  auto it = std::find_if(d.commands.begin(), d.commands.end(),
                         [&](const auto& p) { return p.request_id == m.request_id; });
  if (it != d.commands.end()) {
    const bool ok = m.status == proto::Status::ok;
    emit(&d, "command_completed", {{"request_id", m.request_id}, {"status", static_cast<int>(m.status)}});
    box.command_done(std::move(it->done), ok ? CommandOutcome::ok : CommandOutcome::device_status,
                     static_cast<std::uint16_t>(m.status), m.data);
    d.commands.erase(it);
    return;
  }
  const bool late = std::find(d.expired_ids.begin(), d.expired_ids.end(), m.request_id) !=
                    d.expired_ids.end();
  // Counted (the event counter) and dropped.
  emit_limited(d, late ? "late_reply" : "unknown_reply",
               [&] { return nlohmann::json{{"request_id", m.request_id}}; });
}

void Engine::Impl::fail_commands(Device& d, CommandOutcome why, Outbox& box) {
  for (auto& cmd : d.commands) {
    emit(&d, "command_failed", {{"request_id", cmd.request_id}, {"outcome", to_string(why)}});
    box.command_done(std::move(cmd.done), why, 0, {});
  }
  d.commands.clear();
}

Submit Engine::Impl::submit_command(Device& d, std::uint16_t opcode,
                                    std::span<const std::uint8_t> data, std::uint32_t timeout_ms,
                                    CommandCallback& done, Outbox& box) {
  if (d.state != SessionState::ready || d.conn == nullptr) return Submit::not_ready;
  if (d.commands.size() >= d.config.commands_in_flight_max) {
    emit(&d, "command_rejected", {{"reason", "too_many_in_flight"}});
    return Submit::too_many_in_flight;
  }
  const std::uint32_t id = d.next_request_id++;
  if (!queue_frame(d, *d.conn, proto::Command{id, opcode, data}, proto::kFlagReplyExpected)) {
    return Submit::queue_full;
  }
  const std::uint32_t t = timeout_ms != 0 ? timeout_ms : d.config.command_timeout_ms;
  d.commands.push_back({id, now_ms() + t, std::move(done)});
  emit(&d, "command_sent", {{"request_id", id}, {"opcode", opcode}, {"timeout_ms", t}});
  pump_send(d, *d.conn, box);
  return Submit::accepted;
}

}  // namespace iocpsim::engine
