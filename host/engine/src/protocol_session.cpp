// The device protocol of one device over its current connection (protocol_session.hpp).
#include "protocol_session.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "iocpsim/engine/event_log.hpp"

namespace iocpsim::engine::detail {

namespace proto = iocpsim::protocol;

const char* to_string(Phase p) noexcept {
  switch (p) {
    case Phase::idle:
      return "idle";
    case Phase::handshaking:
      return "handshaking";
    case Phase::ready:
      return "ready";
    case Phase::closing:
      return "closing";
  }
  return "?";
}

ProtocolSession::ProtocolSession(const DeviceConfig& config, const EngineOptions& options)
    : config_(config), options_(options), decoder_(proto::DecoderOptions{options.frame_max_bytes}) {}

void ProtocolSession::clear_deadlines() noexcept {
  handshake_deadline_ms_ = heartbeat_due_ms_ = heartbeat_ack_deadline_ms_ = kNever;
  stall_deadline_ms_ = send_progress_deadline_ms_ = kNever;
}

std::int64_t ProtocolSession::next_deadline_ms() const {
  std::int64_t next =
      std::min({handshake_deadline_ms_, stall_deadline_ms_, send_progress_deadline_ms_, heartbeat_ack_deadline_ms_});
  if (phase_ == Phase::ready) next = std::min(next, heartbeat_due_ms_);
  for (const auto& cmd : commands_) next = std::min(next, cmd.deadline_ms);
  return next;
}

bool ProtocolSession::queue_frame(std::int64_t now, const proto::Message& m, std::uint16_t flags,
                                  SessionDriver& driver) {
  if (out_ == nullptr) return false;
  const proto::EncodeResult r = out_->push(m, tx_seq_, flags, options_.frame_max_bytes);
  if (!r) {
    emit_limited(now, "send_queue_full", driver, [&] {
      return nlohmann::json{{"type", proto::to_string(proto::type_of(m))},
                            {"frame_bytes", r.size},
                            {"queued_bytes", out_->bytes()},
                            {"error", proto::to_string(r.error)}};
    });
    return false;
  }
  ++tx_seq_;
  if (heartbeat_interval_ms_ > 0) heartbeat_due_ms_ = now + heartbeat_interval_ms_;
  // From the first byte waiting to go out, the peer has send_stall_timeout_ms to take some.
  if (send_progress_deadline_ms_ == kNever && config_.send_stall_timeout_ms > 0) {
    send_progress_deadline_ms_ = now + config_.send_stall_timeout_ms;
  }
  return true;
}

void ProtocolSession::on_connected(std::int64_t now, SendQueue& out, SessionDriver& driver) {
  out_ = &out;
  decoder_ = proto::Decoder(proto::DecoderOptions{options_.frame_max_bytes});
  phase_ = Phase::handshaking;
  peer_said_bye_ = false;
  clear_deadlines();
  handshake_deadline_ms_ = now + config_.handshake_timeout_ms;
  stall_deadline_ms_ = now + config_.stall_timeout_ms;
  heartbeat_interval_ms_ = 0;
  tx_seq_ = 1;  // PROTOCOL.md 6.2: the first frame on a connection has seq 1
  next_channel_seq_.clear();
  const proto::Hello hello{config_.version_min, config_.version_max, config_.capabilities, options_.host_id};
  if (queue_frame(now, hello, proto::kFlagReplyExpected, driver)) {
    driver.event("hello_sent", {{"min_version", config_.version_min}, {"max_version", config_.version_max}});
  }
  driver.send_queued();
}

Verdict ProtocolSession::on_bytes(std::int64_t now, proto::Bytes input, SessionDriver& driver) {
  if (out_ == nullptr) return Verdict::carry_on;
  stall_deadline_ms_ = now + config_.stall_timeout_ms;
  const proto::Bytes all = input;
  while (out_ != nullptr) {
    const proto::DecodeResult r = decoder_.put(input);
    input = input.subspan(r.consumed);
    if (r.status == proto::DecodeStatus::error) {
      driver.event("protocol_error", {{"error", proto::to_string(r.error)}, {"offset", r.error_offset}});
      return Verdict::close;
    }
    if (r.status == proto::DecodeStatus::need_more) break;
    if (on_frame(now, r.frame, all, driver) == Verdict::close) return Verdict::close;
  }
  return Verdict::carry_on;
}

void ProtocolSession::on_sent(std::int64_t now, std::size_t bytes, bool queue_empty) {
  if (bytes == 0) return;
  // Progress: the peer is reading; the clock restarts for what is left.
  send_progress_deadline_ms_ =
      queue_empty || config_.send_stall_timeout_ms == 0 ? kNever : now + config_.send_stall_timeout_ms;
}

// Telemetry in a session is nearly every frame of a busy connection: it is told apart first.
Verdict ProtocolSession::on_frame(std::int64_t now, const proto::Frame& f, proto::Bytes input, SessionDriver& driver) {
  const proto::Message& m = f.message;
  const bool in_session = phase_ == Phase::ready || phase_ == Phase::closing;
  if (const auto* t = std::get_if<proto::Telemetry>(&m); t != nullptr && in_session) [[likely]] {
    on_telemetry(now, *t, input, driver);
    return Verdict::carry_on;
  }
  if (const auto* ack = std::get_if<proto::HelloAck>(&m)) return on_hello_ack(now, *ack, driver);
  // PROTOCOL.md 6.1.3: before HELLO_ACK the device may only refuse, with ERROR and BYE; those
  // are reported as in a session (the reason must reach the operator), anything else is not.
  const bool refusal = std::holds_alternative<proto::Error>(m) || std::holds_alternative<proto::Bye>(m);
  if (!in_session && !(refusal && phase_ == Phase::handshaking)) {
    unexpected_message(now, proto::to_string(f.header.type), driver);
    return Verdict::carry_on;
  }
  if (const auto* hb = std::get_if<proto::Heartbeat>(&m)) {
    queue_frame(now, proto::HeartbeatAck{hb->nonce}, 0, driver);
    driver.send_queued();
  } else if (const auto* hba = std::get_if<proto::HeartbeatAck>(&m)) {
    if (hba->nonce == heartbeat_nonce_) heartbeat_ack_deadline_ms_ = kNever;
  } else if (const auto* rsp = std::get_if<proto::Response>(&m)) {
    on_response(now, *rsp, driver);
  } else if (const auto* ev = std::get_if<proto::Event>(&m)) {
    emit_limited(now, "device_event", driver, [&] {
      return nlohmann::json{
          {"event_id", ev->event_id}, {"severity", static_cast<int>(ev->severity)}, {"code", ev->code}};
    });
    driver.device_event(*ev);
  } else if (const auto* bye = std::get_if<proto::Bye>(&m)) {
    peer_said_bye_ = true;
    nlohmann::json fields{{"reason", static_cast<int>(bye->reason)}};
    put_device_text(fields, "text", bye->text);
    driver.event("peer_bye", std::move(fields));
  } else if (const auto* err = std::get_if<proto::Error>(&m)) {
    nlohmann::json fields{{"code", static_cast<int>(err->code)}, {"ref_seq", err->ref_seq}};
    put_device_text(fields, "text", err->text);
    driver.event("device_error", std::move(fields));
  } else {
    unexpected_message(now, proto::to_string(f.header.type), driver);
  }
  return Verdict::carry_on;
}

void ProtocolSession::unexpected_message(std::int64_t now, const char* type, SessionDriver& driver) {
  emit_limited(now, "unexpected_message", driver, [&] {
    return nlohmann::json{{"type", type}, {"state", to_string(phase_)}};
  });
}

Verdict ProtocolSession::on_hello_ack(std::int64_t now, const proto::HelloAck& m, SessionDriver& driver) {
  if (phase_ != Phase::handshaking) {
    unexpected_message(now, "hello_ack", driver);
    return Verdict::carry_on;
  }
  handshake_deadline_ms_ = kNever;
  if (m.version < config_.version_min || m.version > config_.version_max) {
    driver.event("handshake_failed", {{"reason", "version"},
                                      {"version", m.version},
                                      {"min_version", config_.version_min},
                                      {"max_version", config_.version_max}});
    return Verdict::close;
  }
  const std::uint32_t asked = m.heartbeat_interval_ms;
  const std::uint32_t held =
      asked == 0 ? 0
                 : std::clamp(asked, config_.heartbeat_interval_min_ms,
                              std::max(config_.heartbeat_interval_min_ms, config_.heartbeat_interval_max_ms));
  heartbeat_interval_ms_ = held != 0 ? std::min(held, config_.heartbeat_interval_ms) : config_.heartbeat_interval_ms;
  heartbeat_due_ms_ = now + heartbeat_interval_ms_;
  nlohmann::json fields{
      {"version", m.version}, {"capabilities", m.capabilities}, {"heartbeat_interval_ms", heartbeat_interval_ms_}};
  if (held != asked) {
    fields["heartbeat_interval_clamped"] = true;
    fields["heartbeat_interval_requested_ms"] = asked;
  }
  put_device_text(fields, "device_id", m.device_id);
  put_device_text(fields, "firmware", m.firmware);
  driver.event("session_ready", std::move(fields));
  phase_ = Phase::ready;
  driver.handshake_done(now);
  return Verdict::carry_on;
}

void ProtocolSession::on_telemetry(std::int64_t now, const proto::Telemetry& m, proto::Bytes input,
                                   SessionDriver& driver) {
  // A device has a few channels: a plain scan beats std::find_if's unrolled one here.
  std::uint32_t* next = nullptr;
  for (auto& [channel, next_seq] : next_channel_seq_) {
    if (channel == m.channel) {
      next = &next_seq;
      break;
    }
  }
  if (next != nullptr && *next == m.channel_seq) [[likely]] {
    *next = m.channel_seq + 1;
  } else {
    track_unusual_seq(now, next, m.channel, m.channel_seq, driver);
  }
  // Samples decoded where they lie in the input stay valid as long as the input; those of a frame
  // reassembled inside the decoder do not.
  const auto begin = reinterpret_cast<std::uintptr_t>(input.data());
  const auto at = reinterpret_cast<std::uintptr_t>(m.samples.data());
  const bool in_input = !m.samples.empty() && at >= begin && at + m.samples.size() <= begin + input.size();
  driver.telemetry(m, in_input);
}

// A channel's first frame (`next` null), or one that is not the next of its sequence. A gap (or a
// step back) is never silent. Out of line: the per-frame path above stays small.
void ProtocolSession::track_unusual_seq(std::int64_t now, std::uint32_t* next, std::uint16_t channel, std::uint32_t seq,
                                        SessionDriver& driver) {
  if (next == nullptr) {
    next_channel_seq_.emplace_back(channel, seq + 1);
    return;
  }
  emit_limited(now, "telemetry_gap", driver, [&] {
    return nlohmann::json{{"channel", channel}, {"expected", *next}, {"got", seq}};
  });
  *next = seq + 1;
}

void ProtocolSession::on_response(std::int64_t now, const proto::Response& m, SessionDriver& driver) {
  auto it =
      std::find_if(commands_.begin(), commands_.end(), [&](const auto& p) { return p.request_id == m.request_id; });
  if (it != commands_.end()) {
    const bool ok = m.status == proto::Status::ok;
    driver.event("command_completed", {{"request_id", m.request_id}, {"status", static_cast<int>(m.status)}});
    CommandCallback done = std::move(it->done);
    commands_.erase(it);
    driver.command_done(std::move(done), ok ? CommandOutcome::ok : CommandOutcome::device_status,
                        static_cast<std::uint16_t>(m.status), m.data);
    return;
  }
  const bool late = std::find(expired_ids_.begin(), expired_ids_.end(), m.request_id) != expired_ids_.end();
  // Counted (the event counter) and dropped.
  emit_limited(now, late ? "late_reply" : "unknown_reply", driver, [&] {
    return nlohmann::json{{"request_id", m.request_id}};
  });
}

Verdict ProtocolSession::on_time(std::int64_t now, bool send_in_flight, SessionDriver& driver) {
  expire_commands(now, driver);
  if (out_ == nullptr) return Verdict::carry_on;
  if (handshake_deadline_ms_ <= now) {
    driver.event("handshake_timeout", {{"timeout_ms", config_.handshake_timeout_ms}});
    return Verdict::close;
  }
  if (stall_deadline_ms_ <= now) {
    driver.event("stall_detected", {{"silent_ms", config_.stall_timeout_ms}});
    return Verdict::close;
  }
  if (send_progress_deadline_ms_ <= now) {
    driver.event("peer_not_reading", {{"stalled_ms", config_.send_stall_timeout_ms},
                                      {"queued_bytes", out_->bytes()},
                                      {"send_in_flight", send_in_flight}});
    return Verdict::close;
  }
  if (heartbeat_ack_deadline_ms_ <= now) {
    driver.event("heartbeat_timeout", {{"nonce", heartbeat_nonce_}});
    return Verdict::close;
  }
  if (phase_ == Phase::ready && heartbeat_due_ms_ <= now) {
    ++heartbeat_nonce_;
    // The answer is due within heartbeat_timeout_ms even when the heartbeat finds no room in
    // the send queue: a peer that does not read cannot keep its session by sending.
    if (heartbeat_ack_deadline_ms_ == kNever) heartbeat_ack_deadline_ms_ = now + config_.heartbeat_timeout_ms;
    if (queue_frame(now, proto::Heartbeat{heartbeat_nonce_}, proto::kFlagReplyExpected, driver)) {
      driver.event("heartbeat_sent", {{"nonce", heartbeat_nonce_}});
      driver.send_queued();
    } else {
      heartbeat_due_ms_ = now + heartbeat_interval_ms_;
    }
  }
  return Verdict::carry_on;
}

void ProtocolSession::expire_commands(std::int64_t now, SessionDriver& driver) {
  auto expired =
      std::stable_partition(commands_.begin(), commands_.end(), [&](const auto& cmd) { return cmd.deadline_ms > now; });
  std::vector<PendingCommand> gone(std::make_move_iterator(expired), std::make_move_iterator(commands_.end()));
  commands_.erase(expired, commands_.end());
  for (PendingCommand& cmd : gone) {
    driver.event("command_timeout", {{"request_id", cmd.request_id}});
    expired_ids_[expired_next_++ % expired_ids_.size()] = cmd.request_id;
    driver.command_done(std::move(cmd.done), CommandOutcome::timeout, 0, {});
  }
}

void ProtocolSession::begin_closing(std::int64_t now, SessionDriver& driver) {
  if (out_ != nullptr) {
    phase_ = Phase::closing;
    // The BYE goes out after whatever is queued before it; the driver sends it.
    if (queue_frame(now, proto::Bye{proto::ByeReason::shutting_down, "host shutting down"}, 0, driver)) {
      driver.event("bye_sent", {{"reason", "shutting_down"}});
    }
  }
  clear_deadlines();  // the drain bound governs from here, the BYE's send clock included
}

void ProtocolSession::fail_commands(CommandOutcome why, SessionDriver& driver) {
  std::vector<PendingCommand> gone = std::move(commands_);
  commands_.clear();
  for (PendingCommand& cmd : gone) {
    driver.event("command_failed", {{"request_id", cmd.request_id}, {"outcome", to_string(why)}});
    driver.command_done(std::move(cmd.done), why, 0, {});
  }
}

void ProtocolSession::on_closed(CommandOutcome why, SessionDriver& driver) {
  out_ = nullptr;
  phase_ = Phase::idle;
  clear_deadlines();
  fail_commands(why, driver);
}

Submit ProtocolSession::submit_command(std::int64_t now, std::uint16_t opcode, std::span<const std::uint8_t> data,
                                       std::uint32_t timeout_ms, CommandCallback& done, SessionDriver& driver) {
  if (phase_ != Phase::ready || out_ == nullptr) return Submit::not_ready;
  if (commands_.size() >= config_.commands_in_flight_max) {
    driver.event("command_rejected", {{"reason", "too_many_in_flight"}});
    return Submit::too_many_in_flight;
  }
  const std::uint32_t id = next_request_id_++;
  if (!queue_frame(now, proto::Command{id, opcode, data}, proto::kFlagReplyExpected, driver)) {
    return Submit::queue_full;
  }
  const std::uint32_t t = timeout_ms != 0 ? timeout_ms : config_.command_timeout_ms;
  commands_.push_back({id, now + t, std::move(done)});
  driver.event("command_sent", {{"request_id", id}, {"opcode", opcode}, {"timeout_ms", t}});
  driver.send_queued();
  return Submit::accepted;
}

// A device that sends a frame per microsecond must not write a line per frame: per device and
// name, event_burst_max lines per event_window_ms, and the count of the others in the next
// events_suppressed (when a later window writes again, and when the connection closes).
bool ProtocolSession::may_write(std::int64_t now, const char* name, SessionDriver& driver) {
  std::size_t i = 0;
  while (i < kLimitedEvents.size() && std::strcmp(kLimitedEvents[i], name) != 0) ++i;
  if (i == kLimitedEvents.size()) return true;
  EventWindow& w = event_windows_[i];
  if (w.written > 0 && now - w.start_ms >= options_.event_window_ms) {
    if (w.suppressed > 0) {
      driver.event("events_suppressed",
                   {{"suppressed_event", name}, {"count", w.suppressed}, {"since_ms", w.start_ms}});
    }
    w = EventWindow{};
  }
  if (w.written == 0) w.start_ms = now;
  if (w.written >= options_.event_burst_max) {
    ++w.suppressed;
    return false;
  }
  ++w.written;
  return true;
}

void ProtocolSession::report_suppressed(SessionDriver& driver) {
  for (std::size_t i = 0; i < kLimitedEvents.size(); ++i) {
    EventWindow& w = event_windows_[i];
    if (w.suppressed == 0) continue;
    driver.event("events_suppressed",
                 {{"suppressed_event", kLimitedEvents[i]}, {"count", w.suppressed}, {"since_ms", w.start_ms}});
    w.suppressed = 0;
  }
}

}  // namespace iocpsim::engine::detail
