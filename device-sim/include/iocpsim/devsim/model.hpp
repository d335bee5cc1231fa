// The transport-free device model: answers HELLO, heartbeats and commands, streams telemetry with
// per-channel sequence numbers, keeps the connection alive with heartbeats, and frames whatever the
// script sends, following the conversation rules of protocol/PROTOCOL.md section 6. Bytes and time
// in (on_bytes, on_time, reading the injected Clock); bytes and connection actions out (the outbox).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "iocpsim/devsim/action.hpp"
#include "iocpsim/devsim/clock.hpp"
#include "iocpsim/devsim/log.hpp"
#include "iocpsim/devsim/message_json.hpp"
#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/frame.hpp"

namespace iocpsim::devsim {

using Rng = std::mt19937_64;

struct DeliveryRecord;  // record.hpp

// How the device answers a command.
struct CommandBehaviour {
  std::optional<std::uint16_t> opcode;  // nullopt: any opcode
  protocol::Status status = protocol::Status::ok;
  std::vector<std::uint8_t> data;  // the response's data
  bool echo = false;               // reply with the command's own data instead of `data`
  std::uint32_t delay_ms = 0;
  bool reply = true;  // false: never answer
};

struct TelemetryConfig {
  std::vector<std::uint16_t> channels{0};
  double rate_hz = 0;  // samples per second per channel; 0 = no background stream
  std::size_t sample_bytes = 16;
  bool autostart = true;  // start streaming once the handshake is done
};

// The bound on what the device has produced for a connection and the transport has not yet written (the host is not
// reading). A producer (a reply, a telemetry sample, a sending step) whose bytes would take the queue past `max_bytes`
// waits instead; from then on every producer waits until the queue has drained to `low_water_bytes`. Nothing is
// dropped. A single write larger than `max_bytes` goes out alone, into an empty queue.
struct SendQueueConfig {
  std::size_t max_bytes = 4u << 20;
  std::size_t low_water_bytes = 1u << 20;
};

struct ModelConfig {
  MessageDefaults identity;
  // First entry whose opcode matches wins. The default table echoes opcode 1 ("ping");
  // opcodes no entry matches are answered with unknown_opcode.
  std::vector<CommandBehaviour> commands{CommandBehaviour{1, protocol::Status::ok, {}, true, 0, true}};
  TelemetryConfig telemetry;
  SendQueueConfig send_queue;
  bool answer_heartbeats = true;
  std::size_t frame_max_bytes = protocol::kDefaultFrameMaxBytes;
};

// The size of a TELEMETRY frame carrying `sample_bytes` of samples.
std::size_t telemetry_frame_size(std::size_t sample_bytes);

// A fault applied to the next frame the device encodes.
enum class FrameFault : std::uint8_t { none, crc, magic, length };
const char* to_string(FrameFault f) noexcept;

class DeviceModel {
 public:
  DeviceModel(ModelConfig config, const Clock& clock, Rng& rng, LogSink log);
  ~DeviceModel();
  DeviceModel(const DeviceModel&) = delete;
  DeviceModel& operator=(const DeviceModel&) = delete;

  void on_connected();
  void on_disconnected();
  void on_bytes(protocol::Bytes bytes);
  void on_time();  // sends what has come due (delayed replies, telemetry)
  std::optional<DeviceTime> next_deadline() const;

  // Frames `message` with the next seq (applying a pending fault), records it and returns the bytes.
  std::vector<std::uint8_t> encode(const protocol::Message& message, std::uint16_t flags = 0);
  // Sends a frame of the model's own (or a step's): while a frame goes out in pieces it waits until
  // the last piece has gone (begin_pieces).
  void send(const protocol::Message& message, std::uint16_t flags = 0);
  void send_raw(std::vector<std::uint8_t> bytes);
  // A step sends the next `bytes` bytes in pieces, over time (send_chunked, drip). Frames are atomic on
  // the wire (PROTOCOL.md §1): until those bytes have all gone through send_raw(), every frame send()
  // makes (telemetry, replies, heartbeats, acks) is held, in order, and goes right after the last
  // piece. A new connection drops what was held for the old one.
  void begin_pieces(std::size_t bytes);
  bool sending_pieces() const noexcept { return pieces_left_ > 0; }
  void request(ConnectionOp op) { outbox_.emplace_back(op); }
  std::uint32_t next_seq() const noexcept { return seq_; }
  std::uint32_t take_seq() noexcept { return seq_++; }

  void corrupt_next_frame(FrameFault fault, std::uint32_t length_delta = 1);
  void override_next_command(CommandBehaviour behaviour) { overrides_.push_back(std::move(behaviour)); }
  void set_telemetry_streaming(bool on);
  bool telemetry_streaming() const noexcept { return streaming_; }
  void send_telemetry(std::uint16_t channel, std::size_t sample_bytes);
  void send_event(protocol::Severity severity, std::uint16_t code, std::string text);
  // The bounded send queue (SendQueueConfig). can_send() says whether `bytes` more may be queued now; when they may
  // not, it engages back-pressure (logged, naming `by`: what waits) and every producer waits until the transport has
  // written the queue down to the low-water mark.
  bool can_send(std::size_t bytes, const std::string& by);
  bool send_blocked() const noexcept { return send_blocked_; }
  std::size_t send_queued() const noexcept { return send_queued_; }
  // The transport wrote `bytes` of this connection's queue. True when that released back-pressure.
  bool on_written(std::size_t bytes);
  void on_send_discarded(std::size_t bytes);  // queued bytes that will never be written
  // While held, nothing due is sent and the background stream skips its samples.
  void set_output_held(bool held);
  bool output_held() const noexcept { return held_; }

  bool connected() const noexcept { return connected_; }
  bool handshake_done() const noexcept { return handshake_done_; }
  std::vector<Action> take_outbox();
  const DeliveryRecord& record() const noexcept { return *record_; }
  DeliveryRecord& record() noexcept { return *record_; }
  const ModelConfig& config() const noexcept { return config_; }
  const Clock& clock() const noexcept { return clock_; }
  Rng& rng() noexcept { return rng_; }

 private:
  void count_queued(std::size_t bytes);  // bytes produced for the connection (the record, the send queue)
  struct PendingReply {
    DeviceTime due;
    std::uint32_t request_id;
    protocol::Status status;
    std::vector<std::uint8_t> data;
  };

  void handle(const protocol::Frame& frame);
  void on_hello(const protocol::Hello& hello, std::uint32_t seq);
  void say_goodbye(protocol::ByeReason reason);
  void keep_alive();
  std::optional<DeviceTime> heartbeat_interval() const;
  void on_command(const protocol::Command& command);
  void on_decode_error(const protocol::DecodeResult& result);
  void reject(protocol::ErrorCode code, std::uint32_t ref_seq, const char* text);
  CommandBehaviour behaviour_for(std::uint16_t opcode);
  void send_due_replies();
  void send_due_telemetry();
  void release_send_queue();
  void take_input();  // decodes and handles what the host sent, while replies have room
  void log(nlohmann::json event) const;

  ModelConfig config_;
  const Clock& clock_;
  Rng& rng_;
  LogSink log_;
  protocol::Decoder decoder_;
  std::vector<Action> outbox_;
  std::unique_ptr<DeliveryRecord> record_;  // behind a pointer so that this header needs no JSON
  std::vector<PendingReply> pending_;
  std::vector<CommandBehaviour> overrides_;
  std::vector<DeviceTime> telemetry_due_;               // per configured channel
  std::vector<std::uint32_t> channel_seqs_;             // indexed by channel number, grown on demand
  std::size_t send_queued_ = 0;                         // produced for this connection, not yet written
  std::size_t pieces_left_ = 0;                         // bytes of a frame in pieces still to go (begin_pieces)
  std::vector<std::vector<std::uint8_t>> held_frames_;  // send()'s frames waiting for the last piece
  std::size_t reply_reserve_ = 0;                       // room one received frame's direct answer may take
  std::vector<std::uint8_t> unread_;                    // received while back-pressure held input back
  DeviceTime blocked_since_{};
  bool send_blocked_ = false;
  bool telemetry_paused_ = false;
  std::uint32_t seq_ = 1;
  std::uint32_t last_rx_seq_ = 0;
  DeviceTime last_sent_{};
  DeviceTime last_received_{};
  std::uint32_t event_id_ = 1;
  FrameFault fault_ = FrameFault::none;
  std::uint32_t length_delta_ = 1;
  bool connected_ = false;
  bool handshake_done_ = false;
  bool broken_ = false;  // the peer sent a malformed stream; ignore the rest
  bool streaming_ = false;
  bool held_ = false;
};

}  // namespace iocpsim::devsim
