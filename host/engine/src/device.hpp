// One device's session: configuration, state, deadlines, commands in flight, telemetry sequence
// tracking, and its current connection. Guarded by `mutex`; every handler for this device runs
// with it held, which is what serialises one connection's completions across workers (R15: a
// completion dequeued before the issuing call returned waits here for that call to finish).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <mutex>
#include <utility>
#include <vector>

#include "iocpsim/engine/engine.hpp"
#include "iocpsim/iocp/win32.hpp"
#include "outbox.hpp"

namespace iocpsim::engine::detail {

struct Connection;

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

struct PendingCommand {
  std::uint32_t request_id = 0;
  std::int64_t deadline_ms = kNever;
  CommandCallback done;
};

// The events a device can cause once per frame, written at most EngineOptions::event_burst_max
// times per window each (Engine::Impl::emit_limited).
inline constexpr std::array<const char*, 5> kLimitedEvents = {
    "send_queue_full", "unexpected_message", "telemetry_gap", "late_reply", "unknown_reply"};

struct EventWindow {
  std::int64_t start_ms = 0;
  std::uint32_t written = 0;      // in this window
  std::uint64_t suppressed = 0;   // not written since the last events_suppressed
};

struct Device {
  Device(DeviceConfig c, OutboxPool& pool)
      : config(std::move(c)), outbox(pool, config.name), delivering(pool, config.name) {}

  const DeviceConfig config;
  sockaddr_in address{};
  std::mutex mutex;

  SessionState state = SessionState::backoff;
  Connection* conn = nullptr;  // current connection; older ones may still be draining
  std::vector<Connection*> connections;  // every one not yet freed, the current one included
  bool removed = false;
  std::uint32_t failed_attempts = 0;
  std::uint32_t generations = 0;

  // Deadlines on the engine clock; kNever when not armed.
  std::int64_t reconnect_at_ms = kNever;
  std::int64_t connect_deadline_ms = kNever;
  std::int64_t handshake_deadline_ms = kNever;
  std::int64_t heartbeat_due_ms = kNever;
  std::int64_t heartbeat_ack_deadline_ms = kNever;
  std::int64_t stall_deadline_ms = kNever;
  std::int64_t send_progress_deadline_ms = kNever;  // bytes queued and none moved since
  std::int64_t drain_deadline_ms = kNever;
  std::int64_t session_ready_ms = kNever;  // when the current connection's handshake completed
  std::int64_t armed_ms = kNever;  // earliest deadline already in the timer queue

  std::uint32_t heartbeat_interval_ms = 0;  // negotiated
  std::uint64_t heartbeat_nonce = 0;
  std::uint32_t tx_seq = 1;
  std::uint32_t next_request_id = 1;
  std::vector<PendingCommand> commands;
  std::array<std::uint32_t, 64> expired_ids{};  // recently timed-out request ids (ring)
  std::size_t expired_next = 0;
  std::vector<std::pair<std::uint16_t, std::uint32_t>> next_channel_seq;
  std::array<EventWindow, kLimitedEvents.size()> event_windows{};

  Outbox outbox;          // callbacks queued for the application, in decision order
  Outbox delivering;      // what the draining thread is delivering now (swapped with `outbox`)
  bool draining = false;  // a thread is delivering (see Engine::Impl::with_device)
};

}  // namespace iocpsim::engine::detail
