// The device protocol of one device, without sockets, threads or a clock of its own: the
// handshake, frames in, frames out, heartbeats, stall and not-reading detection, commands and
// their timeouts, telemetry sequence checks and the rate limit on the events a device can cause
// once per frame (PROTOCOL.md section 6, EVENTS.md). Bytes and time in; frames out into the
// connection's SendQueue, and everything else out through a SessionDriver: events, "send what is
// queued", the handshake's end, what the application is given.
//
// The engine drives one per device with the device's mutex held; tests and the session fuzzer
// drive one with a recording driver and a plain SendQueue. A call that returns Verdict::close has
// written the event that says why; the driver then closes the connection and reconnects (and
// calls on_closed()). Whatever the input, a call returns: nothing a device sends throws.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/engine/engine.hpp"
#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/messages.hpp"
#include "send_queue.hpp"

namespace iocpsim::engine::detail {

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

// What a session asks of whoever carries its bytes.
class SessionDriver {
 public:
  virtual void event(const char* name, nlohmann::json fields) = 0;
  // Frames were queued: send what the queue holds (the driver may find the connection gone
  // doing so, and call on_closed(); the session then stops where it is).
  virtual void send_queued() = 0;
  // The HELLO_ACK was accepted at `now` (the time given with its bytes): the session is ready.
  virtual void handshake_done(std::int64_t now) = 0;
  // `in_input`: the samples lie in the bytes given to on_bytes() (else in the decoder's own
  // buffer, valid during the call only).
  virtual void telemetry(const protocol::Telemetry& m, bool in_input) = 0;
  virtual void device_event(const protocol::Event& m) = 0;
  virtual void command_done(CommandCallback done, CommandOutcome outcome, std::uint16_t status,
                            std::span<const std::uint8_t> data) = 0;

 protected:
  ~SessionDriver() = default;
};

enum class Verdict : std::uint8_t { carry_on, close };

// Where the protocol is on the current connection.
enum class Phase : std::uint8_t { idle, handshaking, ready, closing };
const char* to_string(Phase p) noexcept;  // "idle", or SessionState's name of the others

// The events a device can cause once per frame, written at most EngineOptions::event_burst_max
// times per window each; the rest are counted and reported in one events_suppressed.
// (The application's callbacks are not limited: each EVENT frame still reaches on_device_event.)
inline constexpr std::array<const char*, 6> kLimitedEvents = {"send_queue_full", "unexpected_message", "telemetry_gap",
                                                              "late_reply",      "unknown_reply",      "device_event"};

class ProtocolSession {
 public:
  // Both must outlive the session.
  ProtocolSession(const DeviceConfig& config, const EngineOptions& options);

  // A connection is up: frames go into `out` from now on (until on_closed()); HELLO is queued.
  void on_connected(std::int64_t now, SendQueue& out, SessionDriver& driver);
  // Bytes the device sent, in order, split anywhere.
  Verdict on_bytes(std::int64_t now, protocol::Bytes input, SessionDriver& driver);
  // `bytes` of the queue went out (the driver has told the queue); `queue_empty` after that.
  void on_sent(std::int64_t now, std::size_t bytes, bool queue_empty);
  // Deadlines that have come: timeouts close; a heartbeat that is due is queued.
  // `send_in_flight`: a send of the queue's bytes is outstanding (reported by peer_not_reading).
  Verdict on_time(std::int64_t now, bool send_in_flight, SessionDriver& driver);
  // The host is shutting down with the connection up: deadlines give way to the drain bound and
  // BYE is queued. Frames are still taken in.
  void begin_closing(std::int64_t now, SessionDriver& driver);
  // Pending commands end with `why` (command_failed each).
  void fail_commands(CommandOutcome why, SessionDriver& driver);
  // What the rate limit held back on this connection, in events_suppressed (before it closes).
  void report_suppressed(SessionDriver& driver);
  // The connection is gone: commands fail with `why`, nothing more goes into the queue.
  void on_closed(CommandOutcome why, SessionDriver& driver);

  Submit submit_command(std::int64_t now, std::uint16_t opcode, std::span<const std::uint8_t> data,
                        std::uint32_t timeout_ms, CommandCallback& done, SessionDriver& driver);

  // The earliest deadline armed (kNever if none).
  std::int64_t next_deadline_ms() const;
  Phase phase() const noexcept { return phase_; }
  std::uint32_t heartbeat_interval_ms() const noexcept { return heartbeat_interval_ms_; }
  std::size_t commands_pending() const noexcept { return commands_.size(); }
  bool peer_said_bye() const noexcept { return peer_said_bye_; }  // on this connection

 private:
  struct PendingCommand {
    std::uint32_t request_id = 0;
    std::int64_t deadline_ms = kNever;
    CommandCallback done;
  };
  struct EventWindow {
    std::int64_t start_ms = 0;
    std::uint32_t written = 0;     // in this window
    std::uint64_t suppressed = 0;  // not written since the last events_suppressed
  };

  bool queue_frame(std::int64_t now, const protocol::Message& m, std::uint16_t flags, SessionDriver& driver);
  Verdict on_frame(std::int64_t now, const protocol::Frame& f, protocol::Bytes input, SessionDriver& driver);
  Verdict on_hello_ack(std::int64_t now, const protocol::HelloAck& m, SessionDriver& driver);
  void on_telemetry(std::int64_t now, const protocol::Telemetry& m, protocol::Bytes input, SessionDriver& driver);
  [[gnu::cold]] void track_unusual_seq(std::int64_t now, std::uint32_t* next, std::uint16_t channel, std::uint32_t seq,
                                       SessionDriver& driver);
  void on_response(std::int64_t now, const protocol::Response& m, SessionDriver& driver);
  void unexpected_message(std::int64_t now, const char* type, SessionDriver& driver);
  void expire_commands(std::int64_t now, SessionDriver& driver);
  void clear_deadlines() noexcept;
  // The rate limit: whether `name` (one of kLimitedEvents) may be written now.
  bool may_write(std::int64_t now, const char* name, SessionDriver& driver);
  template <class Fields>
  void emit_limited(std::int64_t now, const char* name, SessionDriver& driver, Fields&& fields) {
    if (may_write(now, name, driver)) driver.event(name, fields());
  }

  const DeviceConfig& config_;
  const EngineOptions& options_;
  SendQueue* out_ = nullptr;  // the current connection's queue; null when there is none
  protocol::Decoder decoder_;
  Phase phase_ = Phase::idle;
  bool peer_said_bye_ = false;

  // Deadlines on the driver's clock; kNever when not armed.
  std::int64_t handshake_deadline_ms_ = kNever;
  std::int64_t heartbeat_due_ms_ = kNever;
  std::int64_t heartbeat_ack_deadline_ms_ = kNever;
  std::int64_t stall_deadline_ms_ = kNever;
  std::int64_t send_progress_deadline_ms_ = kNever;  // bytes queued and none moved since

  std::uint32_t heartbeat_interval_ms_ = 0;  // negotiated
  std::uint64_t heartbeat_nonce_ = 0;
  std::uint32_t tx_seq_ = 1;
  std::uint32_t next_request_id_ = 1;
  std::vector<PendingCommand> commands_;
  std::array<std::uint32_t, 64> expired_ids_{};  // recently timed-out request ids (ring)
  std::size_t expired_next_ = 0;
  std::vector<std::pair<std::uint16_t, std::uint32_t>> next_channel_seq_;
  std::array<EventWindow, kLimitedEvents.size()> event_windows_{};
};

}  // namespace iocpsim::engine::detail
