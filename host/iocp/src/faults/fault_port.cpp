// The port calls through the shim: GetQueuedCompletionStatus(Ex), PostQueuedCompletionStatus,
// CloseHandle.
//
// Every dequeued packet is looked at once (classify): a packet the shim posted for a forced op
// gets that op's result, a packet Windows would not have queued is dropped, and an issuer
// waiting for its packet (deliver_before_return) is woken. Port rules act on the wait itself:
// wait_timeout (R2), port_closed (R3), spurious_wakeup (R11), reorder (R15), mixed_batch (R14).
#include "iocpsim/iocp/fault_injecting_io_api.hpp"

#include <optional>

#include "shim_state.hpp"

namespace iocpsim::iocp {
namespace shim_detail {
namespace {

struct PortPlan {
  std::optional<std::size_t> rule;
  Outcome outcome = Outcome::kCount;
  DWORD bytes = 0;
  ULONG_PTR key = 0;
};

PortPlan port_plan(ShimState& st, Call call) {
  PortPlan p;
  if (!st.port_rules_armed()) return p;
  std::lock_guard lock(st.mu);
  p.rule = st.match_locked(call, INVALID_SOCKET);
  if (!p.rule) return p;
  const FaultRule& r = st.rules.rule(*p.rule);
  p.outcome = r.outcome;
  p.bytes = r.bytes.value_or(0);
  p.key = r.key;
  return p;
}

void unfire(ShimState& st, PortPlan& p) {
  std::lock_guard lock(st.mu);
  st.rules.unfire(*p.rule);
  p = PortPlan{};
}

// wait_timeout and port_closed end the wait without a packet. 0: the rule does not apply.
DWORD forced_wait_error(ShimState& st, HANDLE port, PortPlan& p) {
  if (p.outcome == Outcome::wait_timeout) return WAIT_TIMEOUT;
  if (p.outcome != Outcome::port_closed) return 0;
  bool closed = false;
  {
    ErrorKeeper keep(st.inner);
    closed = st.inner.CloseHandle(port) != FALSE;  // really closed: later calls get 6 (R3)
  }
  if (!closed) {
    unfire(st, p);
    return 0;
  }
  st.forget_port(port);
  return ERROR_ABANDONED_WAIT_0;
}

void journal_wait(ShimState& st, Call call, HANDLE port, std::uint64_t arg, BOOL ok, const Completion* c,
                  std::int16_t rule, Outcome outcome) {
  if (!st.journaling()) return;
  JournalEntry e;
  e.call = call;
  e.handle = reinterpret_cast<std::uintptr_t>(port);
  e.arg = arg;
  e.result = ok;
  e.error = st.inner.GetLastError();
  if (c != nullptr) {
    e.overlapped = c->ov;
    e.bytes = c->bytes;
    e.status = c->status;
    e.key = c->key;
    if (c->rule != JournalEntry::kNoRule) {
      rule = c->rule;
      outcome = c->outcome;
    }
  }
  e.rule = rule;
  e.outcome = outcome;
  st.note(e);
}

std::int16_t rule_index(const PortPlan& p) {
  return p.rule ? static_cast<std::int16_t>(*p.rule) : JournalEntry::kNoRule;
}

// A packet GetQueuedCompletionStatus returned, as a Completion.
Completion completion_of(IoApi& in, BOOL ok, DWORD bytes, ULONG_PTR key, OVERLAPPED* ov) {
  Completion c;
  c.key = key;
  c.ov = ov;
  c.bytes = bytes;
  c.status = ok ? STATUS_SUCCESS : ntstatus_of(ov->Internal);
  c.error = ok ? 0 : in.GetLastError();
  return c;
}

// One real GetQueuedCompletionStatus. False: no packet, *error says why.
bool dequeue_real(ShimState& st, HANDLE port, DWORD timeout_ms, Completion* c, DWORD* error) {
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  OVERLAPPED* ov = nullptr;
  const BOOL ok = st.inner.GetQueuedCompletionStatus(port, &bytes, &key, &ov, timeout_ms);
  if (!ok && ov == nullptr) {
    *error = st.inner.GetLastError();
    return false;
  }
  *c = completion_of(st.inner, ok, bytes, key, ov);
  if (st.may_be_tracked(ov)) st.classify(*c);
  return true;
}

struct WaitOut {
  LPDWORD bytes;
  PULONG_PTR key;
  LPOVERLAPPED* ov;
};

struct WaitCall {
  HANDLE port;
  LPDWORD bytes;
  PULONG_PTR key;
  LPOVERLAPPED* ov;
  DWORD ms;
};

// Gives the caller its completion. The last error changes only on failure (R1), or goes back
// to the caller's value when the shim's own dequeues changed it.
BOOL hand_over(ShimState& st, const Completion& c, const WaitOut& out, std::optional<DWORD> entry_error) {
  *out.bytes = c.bytes;
  *out.key = c.key;
  *out.ov = c.ov;
  const BOOL ok = c.status >= 0 ? TRUE : FALSE;
  if (!ok) {
    st.inner.SetLastError(c.error != 0 ? c.error : win32_from_status(c.status));
  } else if (entry_error) {
    st.inner.SetLastError(*entry_error);
  }
  return ok;
}

// A wait that ends without a packet: forced (R2, R3) or the backend's own.
BOOL no_packet(ShimState& st, HANDLE port, const WaitOut& out, DWORD ms, DWORD error, const PortPlan& plan) {
  *out.ov = nullptr;  // the byte count stays untouched (R2)
  st.inner.SetLastError(error);
  journal_wait(st, Call::GetQueuedCompletionStatus, port, ms, FALSE, nullptr, rule_index(plan), plan.outcome);
  return FALSE;
}

// GetQueuedCompletionStatus when rules watch the port or packets are held.
[[gnu::noinline]] BOOL wait_with_rules(ShimState& st, HANDLE port, const WaitOut& out, DWORD ms) {
  const Call call = Call::GetQueuedCompletionStatus;
  const DWORD entry_error = st.inner.GetLastError();
  PortPlan plan = port_plan(st, call);
  if (const DWORD forced = plan.rule ? forced_wait_error(st, port, plan) : 0) {
    return no_packet(st, port, out, ms, forced, plan);
  }
  Completion c;
  if (plan.outcome == Outcome::spurious_wakeup) {
    c.bytes = plan.bytes;  // R11: TRUE with no OVERLAPPED, as a posted wake-up reads
    c.key = plan.key;
    hand_over(st, c, out, entry_error);
    journal_wait(st, call, port, ms, TRUE, &c, rule_index(plan), plan.outcome);
    return TRUE;
  }
  const bool hold_first = plan.outcome == Outcome::reorder;
  if (hold_first || !st.take_held(port, &c)) {
    DWORD error = 0;
    if (!dequeue_real(st, port, ms, &c, &error)) {
      if (hold_first) unfire(st, plan);
      return no_packet(st, port, out, ms, error, plan);
    }
    if (hold_first) {
      c.rule = rule_index(plan);
      c.outcome = plan.outcome;
      st.hold(port, c);  // R15: delivered after the next one ...
      // ... if one is already queued; else at once, and the rule waits for a real chance.
      if (!dequeue_real(st, port, 0, &c, &error)) {
        st.take_held(port, &c);
        unfire(st, plan);
      }
    }
  }
  const BOOL ok = hand_over(st, c, out, entry_error);
  journal_wait(st, call, port, ms, ok, &c, rule_index(plan), plan.outcome);
  if (c.awaited) st.mark_delivered(c.ov);  // only now: the out-values are written
  return ok;
}

[[gnu::noinline]] BOOL journaled_post(ShimState& st, HANDLE port, DWORD bytes, ULONG_PTR key, OVERLAPPED* ov) {
  const BOOL ok = st.inner.PostQueuedCompletionStatus(port, bytes, key, ov);
  JournalEntry e;
  e.call = Call::PostQueuedCompletionStatus;
  e.handle = reinterpret_cast<std::uintptr_t>(port);
  e.overlapped = ov;
  e.bytes = bytes;
  e.key = key;
  e.result = ok;
  e.error = st.inner.GetLastError();
  st.note(e);
  return ok;
}

// After a pass-through dequeue: a packet of an op the shim issued gets its forced result, its
// bytes counted and its waiting issuer released; the wait is journaled. entry_error: the
// caller's last error, read before the wait where a cancelled op may become a success.
[[gnu::noinline]] BOOL look_at_dequeued(ShimState& st, HANDLE port, DWORD ms, BOOL ok, const WaitOut& out,
                                        std::optional<DWORD> entry_error) {
  const Call call = Call::GetQueuedCompletionStatus;
  if (!ok && *out.ov == nullptr) {  // no packet: the backend's own answer
    journal_wait(st, call, port, ms, FALSE, nullptr, JournalEntry::kNoRule, Outcome::kCount);
    return FALSE;
  }
  Completion c = completion_of(st.inner, ok, *out.bytes, *out.key, *out.ov);
  BOOL result = ok;
  if (st.may_be_tracked(c.ov)) {
    st.classify(c);
    // A cancelled op rewritten to a success (a forced FIN over a backend without
    // EndsPendingOps) must not show the backend's 995: entry_error is then set.
    result = hand_over(st, c, out, entry_error);
  }
  journal_wait(st, call, port, ms, result, &c, JournalEntry::kNoRule, Outcome::kCount);
  if (c.awaited) st.mark_delivered(c.ov);  // only now: the out-values are written
  return result;
}

// GetQueuedCompletionStatus when rules watch the port, packets are held, or the backend
// cannot end an op with a chosen result. In that last case a receive ended by a forced FIN is
// cancelled in the backend, which reports 995, and the shim must hand back TRUE with the
// caller's last error (R1, R4). That op may have been issued and ended while this wait was
// already blocked, with nothing tracked when the wait began, so the caller's last error is read
// first, always: after the backend's failure it is gone.
[[gnu::noinline]] BOOL wait_off_the_fast_path(ShimState& st, HANDLE port, const WaitOut& out, DWORD ms) {
  if (!st.port_untouched()) return wait_with_rules(st, port, out, ms);
  const DWORD entry_error = st.inner.GetLastError();
  const BOOL ok = st.inner.GetQueuedCompletionStatus(port, out.bytes, out.key, out.ov, ms);
  if (st.busy.load(std::memory_order_acquire) == ShimState::kKeepsLastError) return ok;
  return look_at_dequeued(st, port, ms, ok, out, entry_error);
}

}  // namespace
}  // namespace shim_detail

using shim_detail::Completion;

// ---- GetQueuedCompletionStatus — R1..R7 R11 R12 as the backend gives them; forces R2 R3 R11 R15 ----
BOOL FaultInjectingIoApi::GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred,
                                                    PULONG_PTR lpCompletionKey, LPOVERLAPPED* lpOverlapped,
                                                    DWORD dwMilliseconds) {
  // One load decides: a rule on the port or a held packet changes the wait itself, and a
  // backend that cannot end ops with a chosen result needs the caller's last error kept.
  if ((busy_.load(std::memory_order_relaxed) & shim_detail::ShimState::kSlowWait) != 0) {
    return shim_detail::wait_off_the_fast_path(
        *state_, CompletionPort, {lpNumberOfBytesTransferred, lpCompletionKey, lpOverlapped}, dwMilliseconds);
  }
  // Pass-through: the backend's call, then, only if the shim has anything at all in hand (ops
  // tracked, the journal on: one load after the dequeue), a look at the packet. No failure is
  // turned into a success here (the backend ends forced ops with their own result), so the
  // caller's last error is the backend's to set.
  // The arguments wait in memory for the rare look after the call (volatile: stored once,
  // read back only there), so that no register is kept across the backend's call.
  volatile shim_detail::WaitCall wait;
  wait.port = CompletionPort;
  wait.bytes = lpNumberOfBytesTransferred;
  wait.key = lpCompletionKey;
  wait.ov = lpOverlapped;
  wait.ms = dwMilliseconds;
  const BOOL ok = inner_.GetQueuedCompletionStatus(CompletionPort, lpNumberOfBytesTransferred, lpCompletionKey,
                                                   lpOverlapped, dwMilliseconds);
  if (busy_.load(std::memory_order_acquire) == 0) return ok;  // see may_be_tracked
  return shim_detail::look_at_dequeued(*state_, wait.port, wait.ms, ok, {wait.bytes, wait.key, wait.ov}, std::nullopt);
}

BOOL FaultInjectingIoApi::PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred,
                                                     ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped) {
  if ((busy_.load(std::memory_order_relaxed) & shim_detail::ShimState::kJournaling) != 0) {
    return shim_detail::journaled_post(*state_, CompletionPort, dwNumberOfBytesTransferred, dwCompletionKey,
                                       lpOverlapped);
  }
  return inner_.PostQueuedCompletionStatus(CompletionPort, dwNumberOfBytesTransferred, dwCompletionKey, lpOverlapped);
}

BOOL FaultInjectingIoApi::CloseHandle(HANDLE hObject) {
  shim_detail::ShimState& st = *state_;
  const BOOL ok = st.inner.CloseHandle(hObject);
  if (ok) st.forget_port(hObject);
  shim_detail::journal_wait(st, Call::CloseHandle, hObject, 0, ok, nullptr, JournalEntry::kNoRule, Outcome::kCount);
  return ok;
}

}  // namespace iocpsim::iocp
