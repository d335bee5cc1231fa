// Deadlines on the injected clock: connect and handshake timeouts, heartbeats, stall detection,
// command timeouts, reconnect backoff, the shutdown drain bound. Runs with the device's mutex held.
#include <algorithm>
#include <cmath>

#include "engine_impl.hpp"

namespace iocpsim::engine {

using detail::Connection;
using detail::Device;
using detail::kNever;
using detail::Outbox;
namespace proto = iocpsim::protocol;

void Engine::Impl::on_timers(Device& d, Outbox& box) {
  const std::int64_t now = now_ms();
  if (d.drain_deadline_ms <= now) {
    d.drain_deadline_ms = kNever;
    emit(&d, "shutdown_forced", {{"state", to_string(d.state)}});
    force_close(d, box);
    return;
  }
  if (d.state == SessionState::backoff && d.reconnect_at_ms <= now) {
    start_connect(d, box);
    return;
  }
  expire_commands(d, now, box);
  if (d.conn != nullptr) on_session_timers(d, *d.conn, now, box);
}

void Engine::Impl::on_session_timers(Device& d, Connection& c, std::int64_t now, Outbox& box) {
  if (d.connect_deadline_ms <= now) {
    d.connect_deadline_ms = kNever;
    c.connect_timed_out = true;
    emit(&d, "connect_timeout", {{"timeout_ms", d.config.connect_timeout_ms}});
    cancel_op(d, c.connect_op);  // its R7 packet closes the socket and schedules the retry
    return;
  }
  if (d.handshake_deadline_ms <= now) {
    emit(&d, "handshake_timeout", {{"timeout_ms", d.config.handshake_timeout_ms}});
    fail_and_reconnect(d, c, box);
    return;
  }
  if (d.stall_deadline_ms <= now) {
    emit(&d, "stall_detected", {{"silent_ms", d.config.stall_timeout_ms}});
    fail_and_reconnect(d, c, box);
    return;
  }
  if (d.send_progress_deadline_ms <= now) {
    emit(&d, "peer_not_reading", {{"stalled_ms", d.config.send_stall_timeout_ms},
                                  {"queued_bytes", c.send_queue.bytes()},
                                  {"send_in_flight", c.send_op.in_use}});
    fail_and_reconnect(d, c, box);
    return;
  }
  if (d.heartbeat_ack_deadline_ms <= now) {
    emit(&d, "heartbeat_timeout", {{"nonce", d.heartbeat_nonce}});
    fail_and_reconnect(d, c, box);
    return;
  }
  if (d.state == SessionState::ready && d.heartbeat_due_ms <= now) {
    ++d.heartbeat_nonce;
    // The answer is due within heartbeat_timeout_ms even when the heartbeat finds no room in
    // the send queue: a peer that does not read cannot keep its session by sending.
    if (d.heartbeat_ack_deadline_ms == kNever) {
      d.heartbeat_ack_deadline_ms = now + d.config.heartbeat_timeout_ms;
    }
    if (queue_frame(d, c, proto::Heartbeat{d.heartbeat_nonce}, proto::kFlagReplyExpected)) {
      emit(&d, "heartbeat_sent", {{"nonce", d.heartbeat_nonce}});
      pump_send(d, c, box);
    } else {
      d.heartbeat_due_ms = now + d.heartbeat_interval_ms;
    }
  }
}

void Engine::Impl::expire_commands(Device& d, std::int64_t now, Outbox& box) {
  auto expired = std::stable_partition(d.commands.begin(), d.commands.end(),
                                       [&](const auto& cmd) { return cmd.deadline_ms > now; });
  for (auto it = expired; it != d.commands.end(); ++it) {
    emit(&d, "command_timeout", {{"request_id", it->request_id}});
    d.expired_ids[d.expired_next++ % d.expired_ids.size()] = it->request_id;
    box.command_done(std::move(it->done), CommandOutcome::timeout, 0, {});
  }
  d.commands.erase(expired, d.commands.end());
}

void Engine::Impl::rearm(Device& d) {
  std::int64_t next = std::min({d.reconnect_at_ms, d.connect_deadline_ms, d.handshake_deadline_ms,
                                d.stall_deadline_ms, d.send_progress_deadline_ms,
                                d.heartbeat_ack_deadline_ms, d.drain_deadline_ms});
  if (d.state == SessionState::ready) next = std::min(next, d.heartbeat_due_ms);
  for (const auto& cmd : d.commands) next = std::min(next, cmd.deadline_ms);
  if (next == kNever || next >= d.armed_ms) return;
  d.armed_ms = next;
  // A worker may be sleeping towards a later deadline: wake one to recompute its wait.
  if (timers.push(next, &d)) post(detail::kWakeKey);
}

std::int64_t Engine::Impl::backoff_ms(const Device& d) {
  const double base = std::min<double>(d.config.backoff_max_ms,
                                       d.config.backoff_initial_ms *
                                           std::pow(2.0, std::min<std::uint32_t>(d.failed_attempts, 30)));
  double factor = 1.0;
  if (d.config.backoff_jitter > 0) {
    std::lock_guard lock(rng_mutex);
    factor += d.config.backoff_jitter * (2.0 * rng.next_unit() - 1.0);
  }
  return std::max<std::int64_t>(1, std::llround(base * factor));
}

void Engine::Impl::schedule_reconnect(Device& d, Outbox& box) {
  if (stopping.load() || d.removed || !d.config.reconnect) {
    set_state(d, d.conn == nullptr ? SessionState::stopped : SessionState::closing, box);
    return;
  }
  // Only a session that lived backoff_reset_after_ms past its handshake starts the backoff over.
  const std::int64_t now = now_ms();
  if (d.session_ready_ms != kNever && now - d.session_ready_ms >= d.config.backoff_reset_after_ms) {
    d.failed_attempts = 0;
  }
  d.session_ready_ms = kNever;
  const std::int64_t delay = backoff_ms(d);
  ++d.failed_attempts;
  d.reconnect_at_ms = now + delay;
  emit(&d, "reconnect_scheduled", {{"delay_ms", delay}, {"attempt", d.failed_attempts}});
  set_state(d, SessionState::backoff, box);
}

}  // namespace iocpsim::engine
