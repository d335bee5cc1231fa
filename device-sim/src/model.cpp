#include "iocpsim/devsim/model.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "iocpsim/devsim/frame_edit.hpp"
#include "iocpsim/devsim/record.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::devsim {

namespace pr = iocpsim::protocol;

const char* to_string(FrameFault f) noexcept {
  switch (f) {
    case FrameFault::none:
      return "none";
    case FrameFault::crc:
      return "crc";
    case FrameFault::magic:
      return "magic";
    case FrameFault::length:
      return "length";
  }
  return "?";
}

namespace {

DeviceTime period_of(double rate_hz) { return DeviceTime{static_cast<DeviceTime::rep>(1'000'000.0 / rate_hz)}; }

std::uint64_t micros(DeviceTime t) { return static_cast<std::uint64_t>(t.count()); }

}  // namespace

DeviceModel::DeviceModel(ModelConfig config, const Clock& clock, Rng& rng, LogSink log)
    : config_(std::move(config)),
      clock_(clock),
      rng_(rng),
      log_(std::move(log)),
      decoder_(pr::DecoderOptions{config_.frame_max_bytes}),
      record_(std::make_unique<DeliveryRecord>()) {
  const auto& id = config_.identity;
  // The largest direct answer to one received frame: HELLO_ACK, or ERROR then BYE.
  reply_reserve_ = std::max(pr::frame_size(pr::HelloAck{pr::kVersion, id.capabilities, id.heartbeat_interval_ms,
                                                        id.device_id, id.serial, id.firmware}),
                            std::size_t{256});
}

DeviceModel::~DeviceModel() = default;

void DeviceModel::log(nlohmann::json event) const {
  if (log_) log_(event);
}

void DeviceModel::on_connected() {
  connected_ = true;
  handshake_done_ = false;
  broken_ = false;
  streaming_ = false;
  seq_ = 1;
  event_id_ = 1;
  last_rx_seq_ = 0;
  send_queued_ = 0;
  send_blocked_ = false;
  telemetry_paused_ = false;
  unread_.clear();
  decoder_.reset();
  pending_.clear();
  pieces_left_ = 0;
  held_frames_.clear();
  last_sent_ = last_received_ = clock_.now();
  ++record_->connections_accepted;
}

void DeviceModel::on_disconnected() {
  connected_ = false;
  handshake_done_ = false;
  streaming_ = false;
  pending_.clear();
  send_queued_ = 0;
  send_blocked_ = false;
  telemetry_paused_ = false;
  unread_.clear();
  pieces_left_ = 0;
  held_frames_.clear();
  // Whatever was queued for the closed connection will never be written.
  std::erase_if(outbox_, [](const Action& a) { return std::holds_alternative<SendBytes>(a); });
}

void DeviceModel::on_bytes(pr::Bytes bytes) {
  record_->bytes_received += bytes.size();
  if (!bytes.empty()) last_received_ = clock_.now();
  // Under back-pressure the transport stops reading; what one read still brought waits here.
  unread_.insert(unread_.end(), bytes.begin(), bytes.end());
  take_input();
}

void DeviceModel::take_input() {
  std::size_t used = 0;
  while (used < unread_.size() && !broken_ && can_send(reply_reserve_, "reply")) {
    const auto result = decoder_.put(pr::Bytes(unread_).subspan(used));
    used += result.consumed;
    if (result.status == pr::DecodeStatus::need_more) break;
    if (result.status == pr::DecodeStatus::error) {
      on_decode_error(result);
      break;
    }
    handle(result.frame);
  }
  if (broken_) used = unread_.size();
  unread_.erase(unread_.begin(), unread_.begin() + static_cast<std::ptrdiff_t>(used));
}

void DeviceModel::on_decode_error(const pr::DecodeResult& result) {
  log({{"event", "decode_error"}, {"error", pr::to_string(result.error)}, {"offset", result.error_offset}});
  ++record_->decode_errors;
  broken_ = true;
  // PROTOCOL.md 6.7: ref_seq is the best guess of the bad frame's seq; then BYE and close.
  send(pr::Error{pr::ErrorCode::malformed_frame, last_rx_seq_ + 1, pr::to_string(result.error)});
  say_goodbye(pr::ByeReason::protocol_violation);
}

void DeviceModel::say_goodbye(pr::ByeReason reason) {
  send(pr::Bye{reason, {}});
  request(ConnectionOp::close_graceful);  // FIN, then read until the peer's FIN, then close
}

void DeviceModel::handle(const pr::Frame& frame) {
  auto json = message_to_json(frame.message);
  log({{"event", "frame_received"}, {"seq", frame.header.seq}, {"message", json}});
  record_->received.push_back({clock_.now(), frame.header.seq, std::move(json)});
  last_rx_seq_ = frame.header.seq;
  last_received_ = clock_.now();
  const auto type = pr::type_of(frame.message);
  // PROTOCOL.md 6.1: before HELLO only ERROR and BYE may come; a second HELLO is unexpected.
  if (type == pr::MessageType::hello && !handshake_done_)
    return on_hello(std::get<pr::Hello>(frame.message), frame.header.seq);
  if (type == pr::MessageType::bye) return say_goodbye(pr::ByeReason::normal);
  if (type == pr::MessageType::error) return;
  if (handshake_done_) {
    if (type == pr::MessageType::heartbeat_ack) return;
    if (type == pr::MessageType::heartbeat) {
      if (config_.answer_heartbeats) send(pr::HeartbeatAck{std::get<pr::Heartbeat>(frame.message).nonce});
      return;
    }
    if (type == pr::MessageType::command) return on_command(std::get<pr::Command>(frame.message));
  }
  reject(pr::ErrorCode::unexpected_message, frame.header.seq, pr::to_string(type));
}

void DeviceModel::reject(pr::ErrorCode code, std::uint32_t ref_seq, const char* text) {
  send(pr::Error{code, ref_seq, text});
}

void DeviceModel::on_hello(const pr::Hello& hello, std::uint32_t seq) {
  if (hello.min_version > pr::kVersion || hello.max_version < pr::kVersion) {
    send(pr::Error{pr::ErrorCode::unsupported_version, seq, "version 1 only"});
    say_goodbye(pr::ByeReason::protocol_violation);
    return;
  }
  const auto& id = config_.identity;
  send(pr::HelloAck{pr::kVersion, id.capabilities, id.heartbeat_interval_ms, id.device_id, id.serial, id.firmware});
  handshake_done_ = true;
  if (config_.telemetry.autostart && config_.telemetry.rate_hz > 0) set_telemetry_streaming(true);
}

CommandBehaviour DeviceModel::behaviour_for(std::uint16_t opcode) {
  const auto matches = [opcode](const CommandBehaviour& b) { return !b.opcode || *b.opcode == opcode; };
  if (const auto it = std::find_if(overrides_.begin(), overrides_.end(), matches); it != overrides_.end()) {
    auto chosen = *it;
    overrides_.erase(it);
    return chosen;
  }
  const auto it = std::find_if(config_.commands.begin(), config_.commands.end(), matches);
  if (it != config_.commands.end()) return *it;
  return CommandBehaviour{opcode, pr::Status::unknown_opcode, {}, false, 0, true};
}

void DeviceModel::on_command(const pr::Command& command) {
  const auto behaviour = behaviour_for(command.opcode);
  if (!behaviour.reply) {
    log({{"event", "command_unanswered"}, {"request_id", command.request_id}, {"opcode", command.opcode}});
    return;
  }
  std::vector<std::uint8_t> data = behaviour.data;
  if (behaviour.echo) data.assign(command.data.begin(), command.data.end());
  pending_.push_back({clock_.now() + std::chrono::milliseconds(behaviour.delay_ms), command.request_id,
                      behaviour.status, std::move(data)});
  send_due_replies();
}

void DeviceModel::on_time() {
  if (!unread_.empty()) take_input();
  send_due_replies();
  send_due_telemetry();
  keep_alive();
}

// PROTOCOL.md 6.3: after an interval without sending, send a HEARTBEAT; after three without
// receiving anything, say BYE(idle_timeout) and close.
void DeviceModel::keep_alive() {
  const auto interval = heartbeat_interval();
  // While the send queue is full the device reads nothing either, so silence is not the host's.
  if (!interval || !handshake_done_ || held_ || !connected_ || broken_ || send_blocked_) return;
  const auto now = clock_.now();
  if (now - last_received_ >= 3 * *interval) {
    log({{"event", "idle_timeout"}});
    broken_ = true;  // nothing more is taken from this connection
    return say_goodbye(pr::ByeReason::idle_timeout);
  }
  if (now - last_sent_ >= *interval && can_send(pr::frame_size(pr::Heartbeat{}), "heartbeat")) {
    send(pr::Heartbeat{rng_()}, pr::kFlagReplyExpected);
  }
}

std::optional<DeviceTime> DeviceModel::heartbeat_interval() const {
  if (config_.identity.heartbeat_interval_ms == 0) return std::nullopt;
  return std::chrono::milliseconds(config_.identity.heartbeat_interval_ms);
}

void DeviceModel::send_due_replies() {
  if (held_ || !connected_) return;
  const auto now = clock_.now();
  // Replies leave in due order; equal due times keep their arrival order.
  std::stable_sort(pending_.begin(), pending_.end(), [](const auto& a, const auto& b) { return a.due < b.due; });
  while (!pending_.empty() && pending_.front().due <= now) {
    if (!can_send(pr::frame_size(pr::Response{0, pr::Status::ok, pending_.front().data}), "reply")) return;
    const auto reply = std::move(pending_.front());
    pending_.erase(pending_.begin());
    send(pr::Response{reply.request_id, reply.status, reply.data});
  }
}

void DeviceModel::send_due_telemetry() {
  if (!streaming_ || held_ || !connected_) return;
  const auto now = clock_.now();
  const auto period = period_of(config_.telemetry.rate_hz);
  // Samples go out in due order across channels, so that a send queue that fills part way through pauses every channel
  // at the same point in time, and none is starved.
  while (true) {
    const auto next = std::min_element(telemetry_due_.begin(), telemetry_due_.end());
    if (next == telemetry_due_.end() || *next > now) return;
    // A full send queue pauses the stream: the sample is not taken, its channel_seq not used.
    if (!can_send(telemetry_frame_size(config_.telemetry.sample_bytes), "telemetry")) {
      telemetry_paused_ = true;
      return;
    }
    send_telemetry(config_.telemetry.channels[static_cast<std::size_t>(next - telemetry_due_.begin())],
                   config_.telemetry.sample_bytes);
    *next += period;
  }
}

void DeviceModel::set_telemetry_streaming(bool on) {
  streaming_ = on && config_.telemetry.rate_hz > 0;
  const auto first = clock_.now() + period_of(config_.telemetry.rate_hz > 0 ? config_.telemetry.rate_hz : 1);
  telemetry_due_.assign(config_.telemetry.channels.size(), first);
}

void DeviceModel::set_output_held(bool held) {
  held_ = held;
  if (!held && streaming_) set_telemetry_streaming(true);  // skip the samples the stall swallowed
}

std::optional<DeviceTime> DeviceModel::next_deadline() const {
  std::optional<DeviceTime> next;
  const auto consider = [&next](DeviceTime t) { next = next ? std::min(*next, t) : t; };
  // Under back-pressure nothing is due until the transport has written the queue down.
  if (held_ || !connected_ || send_blocked_) return next;
  for (const auto& p : pending_) consider(p.due);
  if (streaming_) {
    for (const auto t : telemetry_due_) consider(t);
  }
  if (const auto interval = heartbeat_interval(); interval && handshake_done_ && !broken_) {
    consider(last_sent_ + *interval);
    consider(last_received_ + 3 * *interval);
  }
  return next;
}

void DeviceModel::send_telemetry(std::uint16_t channel, std::size_t sample_bytes) {
  if (channel_seqs_.size() <= channel) channel_seqs_.resize(channel + 1u, 0);
  std::vector<std::uint8_t> samples(sample_bytes);
  for (auto& b : samples) b = static_cast<std::uint8_t>(rng_());
  send(pr::Telemetry{channel, channel_seqs_[channel]++, micros(clock_.now()), samples});
}

std::size_t telemetry_frame_size(std::size_t sample_bytes) {
  return pr::frame_size(pr::Telemetry{0, 0, 0, std::vector<std::uint8_t>(sample_bytes)});
}

bool DeviceModel::can_send(std::size_t bytes, const std::string& by) {
  if (!connected_) return true;  // nothing is queued for a connection that is not there
  if (!send_blocked_ && (send_queued_ == 0 || send_queued_ + bytes <= config_.send_queue.max_bytes)) return true;
  if (!send_blocked_) {
    send_blocked_ = true;
    blocked_since_ = clock_.now();
    ++record_->send_backpressure;
    log({{"event", "send_queue_full"},
         {"queued_bytes", send_queued_},
         {"max_bytes", config_.send_queue.max_bytes},
         {"needed_bytes", bytes},
         {"by", by}});
  }
  return false;
}

bool DeviceModel::on_written(std::size_t bytes) {
  send_queued_ -= std::min(bytes, send_queued_);
  if (!send_blocked_ || send_queued_ > config_.send_queue.low_water_bytes) return false;
  release_send_queue();
  return true;
}

void DeviceModel::on_send_discarded(std::size_t bytes) { send_queued_ -= std::min(bytes, send_queued_); }

void DeviceModel::release_send_queue() {
  send_blocked_ = false;
  nlohmann::json next_seqs = nlohmann::json::object();
  if (telemetry_paused_) {
    // The stream resumes where it paused: the next sample carries the next channel_seq, one period on.
    telemetry_paused_ = false;
    const auto first = clock_.now() + period_of(config_.telemetry.rate_hz);
    for (auto& due : telemetry_due_) due = std::max(due, first);
    for (const auto channel : config_.telemetry.channels) {
      next_seqs[std::to_string(channel)] = channel < channel_seqs_.size() ? channel_seqs_[channel] : 0;
    }
  }
  log({{"event", "send_queue_drained"},
       {"queued_bytes", send_queued_},
       {"low_water_bytes", config_.send_queue.low_water_bytes},
       {"blocked_us", (clock_.now() - blocked_since_).count()},
       {"telemetry_next_seq", next_seqs}});
}

void DeviceModel::send_event(pr::Severity severity, std::uint16_t code, std::string text) {
  send(pr::Event{event_id_++, severity, code, micros(clock_.now()), text});
}

void DeviceModel::corrupt_next_frame(FrameFault fault, std::uint32_t length_delta) {
  fault_ = fault;
  length_delta_ = length_delta;
}

std::vector<std::uint8_t> DeviceModel::encode(const pr::Message& message, std::uint16_t flags) {
  std::vector<std::uint8_t> bytes(pr::frame_size(message));
  const auto seq = take_seq();
  const auto result = pr::encode(message, seq, bytes, flags, SIZE_MAX);
  bytes.resize(result ? result.size : 0);
  SentFrame sent{clock_.now(), pr::type_of(message), seq};
  if (const auto* t = std::get_if<pr::Telemetry>(&message)) {
    sent.channel = t->channel;
    sent.channel_seq = t->channel_seq;
  }
  if (fault_ != FrameFault::none && !bytes.empty()) {
    if (fault_ == FrameFault::crc) flip_crc(bytes);
    if (fault_ == FrameFault::magic) break_magic(bytes);
    if (fault_ == FrameFault::length) write_payload_len(bytes, read_payload_len(bytes) + length_delta_);
    sent.fault = to_string(fault_);
    fault_ = FrameFault::none;
  }
  last_sent_ = clock_.now();
  log({{"event", "frame_sent"}, {"seq", seq}, {"fault", sent.fault}, {"message", message_to_json(message)}});
  record_->sent.push_back(std::move(sent));
  return bytes;
}

void DeviceModel::count_queued(std::size_t bytes) {
  record_->bytes_queued += bytes;
  if (connected_) {
    send_queued_ += bytes;
    record_->send_queue_peak_bytes = std::max<std::uint64_t>(record_->send_queue_peak_bytes, send_queued_);
  }
}

void DeviceModel::send(const pr::Message& message, std::uint16_t flags) {
  std::vector<std::uint8_t> bytes = encode(message, flags);
  if (pieces_left_ == 0) return send_raw(std::move(bytes));
  // Counted as queued now, so that the producers' can_send() sees them.
  count_queued(bytes.size());
  held_frames_.push_back(std::move(bytes));
}

void DeviceModel::begin_pieces(std::size_t bytes) { pieces_left_ = bytes; }

void DeviceModel::send_raw(std::vector<std::uint8_t> bytes) {
  count_queued(bytes.size());
  const bool last_piece = pieces_left_ > 0 && bytes.size() >= pieces_left_;
  pieces_left_ -= std::min(pieces_left_, bytes.size());
  outbox_.emplace_back(SendBytes{std::move(bytes)});
  if (!last_piece) return;
  for (auto& frame : held_frames_) outbox_.emplace_back(SendBytes{std::move(frame)});
  held_frames_.clear();
}

std::vector<Action> DeviceModel::take_outbox() {
  std::vector<Action> out;
  out.swap(outbox_);
  return out;
}

}  // namespace iocpsim::devsim
