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
  // Without a connection the session has nothing armed: commands fail when it closes.
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
  SessionDriverOf driver(*this, d, &c, box);
  if (d.session.on_time(now, c.send_op.in_use, driver) == detail::Verdict::close && !c.closed) {
    fail_and_reconnect(d, c, box);
  }
}

void Engine::Impl::rearm(Device& d) {
  const std::int64_t next =
      std::min({d.reconnect_at_ms, d.connect_deadline_ms, d.drain_deadline_ms, d.session.next_deadline_ms()});
  if (next == kNever || next >= d.armed_ms) return;
  d.armed_ms = next;
  // A worker may be sleeping towards a later deadline: wake one to recompute its wait.
  if (timers.push(next, &d)) post(detail::kWakeKey);
}

std::int64_t Engine::Impl::backoff_ms(const Device& d) {
  const double base =
      std::min<double>(d.config.backoff_max_ms,
                       d.config.backoff_initial_ms * std::pow(2.0, std::min<std::uint32_t>(d.failed_attempts, 30)));
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
