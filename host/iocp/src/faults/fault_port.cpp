// The port calls through the shim: GetQueuedCompletionStatus(Ex), PostQueuedCompletionStatus,
// CloseHandle.
//
// Every dequeued packet is looked at once (classify): a packet the shim posted for a forced op
// gets that op's result, a packet Windows would not have queued is dropped, and an issuer
// waiting for its packet (deliver_before_return) is woken. Port rules act on the wait itself:
// wait_timeout (R2), port_closed (R3), spurious_wakeup (R11), reorder (R15), mixed_batch (R14).
#include "iocpsim/iocp/fault_injecting_io_api.hpp"

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
  if (!st.port_rules.load(std::memory_order_acquire)) return p;
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

void journal_wait(ShimState& st, Call call, HANDLE port, std::uint64_t arg, BOOL ok,
                  const Completion* c, std::int16_t rule, Outcome outcome) {
  if (!st.journaling.load(std::memory_order_relaxed)) return;
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

// One real GetQueuedCompletionStatus. False: no packet, *error says why.
bool dequeue_real(IoApi& in, HANDLE port, DWORD timeout_ms, Completion* c, DWORD* error) {
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  OVERLAPPED* ov = nullptr;
  const BOOL ok = in.GetQueuedCompletionStatus(port, &bytes, &key, &ov, timeout_ms);
  if (!ok && ov == nullptr) {
    *error = in.GetLastError();
    return false;
  }
  *c = Completion{};
  c->key = key;
  c->ov = ov;
  c->bytes = bytes;
  c->status = ok ? STATUS_SUCCESS : ntstatus_of(ov->Internal);
  c->error = ok ? 0 : in.GetLastError();
  return true;
}

bool looked_at(ShimState& st, Completion& c) {
  if (c.ov == nullptr || st.tracked.load(std::memory_order_acquire) == 0) return true;
  return st.classify(c);
}

}  // namespace
}  // namespace shim_detail

using shim_detail::Completion;

// ---- GetQueuedCompletionStatus — R1..R7 R11 R12 as the backend gives them; forces R2 R3 R11 R15 ----
BOOL FaultInjectingIoApi::GetQueuedCompletionStatus(HANDLE CompletionPort,
                                                    LPDWORD lpNumberOfBytesTransferred,
                                                    PULONG_PTR lpCompletionKey,
                                                    LPOVERLAPPED* lpOverlapped,
                                                    DWORD dwMilliseconds) {
  shim_detail::ShimState& st = *state_;
  const Call call = Call::GetQueuedCompletionStatus;
  const DWORD entry_error = st.inner.GetLastError();  // R1: success leaves it unchanged
  shim_detail::PortPlan plan = shim_detail::port_plan(st, call);
  if (const DWORD forced = plan.rule ? shim_detail::forced_wait_error(st, CompletionPort, plan) : 0) {
    *lpOverlapped = nullptr;  // the byte count stays untouched (R2)
    st.inner.SetLastError(forced);
    shim_detail::journal_wait(st, call, CompletionPort, dwMilliseconds, FALSE, nullptr,
                         shim_detail::rule_index(plan), plan.outcome);
    return FALSE;
  }
  if (plan.outcome == Outcome::spurious_wakeup) {
    Completion wake;
    wake.bytes = plan.bytes;
    wake.key = plan.key;
    *lpNumberOfBytesTransferred = wake.bytes;
    *lpCompletionKey = wake.key;
    *lpOverlapped = nullptr;  // R11: TRUE with no OVERLAPPED, as a posted wake-up reads
    shim_detail::journal_wait(st, call, CompletionPort, dwMilliseconds, TRUE, &wake,
                         shim_detail::rule_index(plan), plan.outcome);
    return TRUE;
  }
  bool hold_next = plan.outcome == Outcome::reorder;
  bool just_held = false;  // then the next packet must come from the port, not the held one
  Completion c;
  for (;;) {
    if (!hold_next && !just_held && st.take_held(CompletionPort, &c)) break;
    DWORD error = 0;
    if (!shim_detail::dequeue_real(st.inner, CompletionPort, dwMilliseconds, &c, &error)) {
      if (st.take_held(CompletionPort, &c)) break;  // no later packet came: deliver the held one
      if (hold_next) shim_detail::unfire(st, plan);
      *lpOverlapped = nullptr;
      st.inner.SetLastError(error);
      shim_detail::journal_wait(st, call, CompletionPort, dwMilliseconds, FALSE, nullptr,
                           shim_detail::rule_index(plan), plan.outcome);
      return FALSE;
    }
    if (!shim_detail::looked_at(st, c)) continue;  // a packet Windows would not have queued
    if (hold_next) {
      c.rule = shim_detail::rule_index(plan);
      c.outcome = plan.outcome;
      st.hold(CompletionPort, c);  // R15: delivered after the next one
      hold_next = false;
      just_held = true;
      continue;
    }
    break;
  }
  *lpNumberOfBytesTransferred = c.bytes;
  *lpCompletionKey = c.key;
  *lpOverlapped = c.ov;
  const BOOL ok = c.status >= 0 ? TRUE : FALSE;
  st.inner.SetLastError(ok ? entry_error
                           : (c.error != 0 ? c.error : shim_detail::win32_from_status(c.status)));
  shim_detail::journal_wait(st, call, CompletionPort, dwMilliseconds, ok, &c,
                            shim_detail::rule_index(plan), plan.outcome);
  if (c.awaited) st.mark_delivered(c.ov);  // only now: the out-values are written
  return ok;
}

BOOL FaultInjectingIoApi::PostQueuedCompletionStatus(HANDLE CompletionPort,
                                                     DWORD dwNumberOfBytesTransferred,
                                                     ULONG_PTR dwCompletionKey,
                                                     LPOVERLAPPED lpOverlapped) {
  shim_detail::ShimState& st = *state_;
  const BOOL ok = st.inner.PostQueuedCompletionStatus(CompletionPort, dwNumberOfBytesTransferred,
                                                      dwCompletionKey, lpOverlapped);
  if (st.journaling.load(std::memory_order_relaxed)) {
    JournalEntry e;
    e.call = Call::PostQueuedCompletionStatus;
    e.handle = reinterpret_cast<std::uintptr_t>(CompletionPort);
    e.overlapped = lpOverlapped;
    e.bytes = dwNumberOfBytesTransferred;
    e.key = dwCompletionKey;
    e.result = ok;
    e.error = st.inner.GetLastError();
    st.note(e);
  }
  return ok;
}

BOOL FaultInjectingIoApi::CloseHandle(HANDLE hObject) {
  shim_detail::ShimState& st = *state_;
  const BOOL ok = st.inner.CloseHandle(hObject);
  if (ok) st.forget_port(hObject);
  shim_detail::journal_wait(st, Call::CloseHandle, hObject, 0, ok, nullptr, JournalEntry::kNoRule,
                       Outcome::kCount);
  return ok;
}

}  // namespace iocpsim::iocp
