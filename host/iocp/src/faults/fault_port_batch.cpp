// GetQueuedCompletionStatusEx through the shim: R2 R3 R11 R14 R15 forced on a batch wait.
#include <algorithm>
#include <optional>
#include <vector>

#include "iocpsim/iocp/fault_injecting_io_api.hpp"
#include "shim_state.hpp"

namespace iocpsim::iocp {
namespace shim_detail {
namespace {

OVERLAPPED_ENTRY to_entry(const Completion& c) {
  return OVERLAPPED_ENTRY{c.key, c.ov, static_cast<DWORD>(c.status), c.bytes};
}

void journal_entry(ShimState& st, HANDLE port, const Completion& c) {
  if (!st.journaling()) return;
  JournalEntry e;
  e.call = Call::GetQueuedCompletionStatusEx;
  e.batch_entry = true;
  e.handle = reinterpret_cast<std::uintptr_t>(port);
  e.overlapped = c.ov;
  e.bytes = c.bytes;
  e.status = c.status;
  e.key = c.key;
  e.rule = c.rule;
  e.outcome = c.outcome;
  st.note(e);
}

// Looks at `got` entries written at `entries` and returns how many are kept (all of them). The sockets of kept entries
// go to `sockets` when asked for (mixed_batch).
ULONG filter(ShimState& st, HANDLE port, OVERLAPPED_ENTRY* entries, ULONG got, std::vector<SOCKET>* sockets,
             std::vector<const OVERLAPPED*>* awaited) {
  ULONG kept = 0;
  for (ULONG i = 0; i < got; ++i) {
    Completion c;
    c.key = entries[i].lpCompletionKey;
    c.ov = entries[i].lpOverlapped;
    c.bytes = entries[i].dwNumberOfBytesTransferred;
    c.status = ntstatus_of(entries[i].Internal);
    if (st.may_be_tracked(c.ov)) st.classify(c);
    entries[kept++] = to_entry(c);
    if (sockets != nullptr) sockets->push_back(c.socket);
    if (c.awaited) awaited->push_back(c.ov);
    journal_entry(st, port, c);
  }
  return kept;
}

ULONG fill_from_held(ShimState& st, HANDLE port, OVERLAPPED_ENTRY* entries, ULONG count, std::vector<SOCKET>* sockets,
                     std::vector<const OVERLAPPED*>* awaited) {
  ULONG n = 0;
  Completion c;
  while (n < count && st.take_held(port, &c)) {
    entries[n++] = to_entry(c);
    if (sockets != nullptr) sockets->push_back(c.socket);
    if (c.awaited) awaited->push_back(c.ov);
    journal_entry(st, port, c);
  }
  return n;
}

// R14: a batch with successes only gets one op entry turned into a peer reset, which the
// connection then really undergoes. False if the batch cannot be mixed.
bool mix(ShimState& st, HANDLE port, OVERLAPPED_ENTRY* entries, ULONG n, const std::vector<SOCKET>& sockets,
         std::size_t rule) {
  if (n < 2) return false;
  for (ULONG i = 0; i < n; ++i) {
    if (ntstatus_of(entries[i].Internal) < 0) return true;  // already mixed
  }
  for (ULONG i = n; i-- > 0;) {
    if (sockets[i] == INVALID_SOCKET || entries[i].lpOverlapped == nullptr) continue;
    const Forced reset{STATUS_CONNECTION_RESET, 0, static_cast<std::int16_t>(rule), Outcome::mixed_batch};
    {
      std::lock_guard lock(st.mu);
      const auto it = st.sockets.find(sockets[i]);
      if (it != st.sockets.end()) it->second.health = Health::reset;
    }
    st.kill_connection(sockets[i], reset);
    entries[i].Internal = static_cast<DWORD>(STATUS_CONNECTION_RESET);
    entries[i].dwNumberOfBytesTransferred = 0;
    entries[i].lpOverlapped->Internal = static_cast<DWORD>(STATUS_CONNECTION_RESET);
    entries[i].lpOverlapped->InternalHigh = 0;
    Completion shown{entries[i].lpCompletionKey,
                     entries[i].lpOverlapped,
                     0,
                     STATUS_CONNECTION_RESET,
                     ERROR_NETNAME_DELETED,
                     sockets[i],
                     reset.rule,
                     Outcome::mixed_batch};
    journal_entry(st, port, shown);
    return true;
  }
  return false;
}

std::optional<std::size_t> batch_rule(ShimState& st, Outcome* outcome, FaultRule* rule) {
  if (!st.port_rules_armed()) return std::nullopt;
  std::lock_guard lock(st.mu);
  const auto index = st.match_locked(Call::GetQueuedCompletionStatusEx, INVALID_SOCKET);
  if (index) {
    *rule = st.rules.rule(*index);
    *outcome = rule->outcome;
  }
  return index;
}

void give_back(ShimState& st, std::optional<std::size_t>& index) {
  std::lock_guard lock(st.mu);
  st.rules.unfire(*index);
  index.reset();
}

// Port rules that end the batch wait by themselves; nullopt if none applies.
template <class Finish>
std::optional<BOOL> forced_batch(ShimState& st, HANDLE port, OVERLAPPED_ENTRY* entries,
                                 std::optional<std::size_t>& index, const FaultRule& rule, Finish& finish) {
  switch (rule.outcome) {
    case Outcome::wait_timeout:
      return finish(FALSE, 1, WAIT_TIMEOUT);
    case Outcome::spurious_wakeup:
      entries[0] = OVERLAPPED_ENTRY{rule.key, nullptr, 0, rule.bytes.value_or(0)};  // R11
      return finish(TRUE, 1, 0);
    case Outcome::port_closed: {
      bool closed = false;
      {
        ErrorKeeper keep(st.inner);
        closed = st.inner.CloseHandle(port) != FALSE;
      }
      if (closed) {
        st.forget_port(port);
        return finish(FALSE, 1, ERROR_ABANDONED_WAIT_0);  // R3
      }
      give_back(st, index);
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

// R15 in a batch: the first kept entry is held for the next call; the rest move up.
void hold_first_entry(ShimState& st, HANDLE port, OVERLAPPED_ENTRY* entries, ULONG* kept, std::int16_t rule,
                      std::vector<const OVERLAPPED*>& awaited) {
  Completion c;
  // An awaited op that is held is not with the caller yet.
  const auto it = std::find(awaited.begin(), awaited.end(), entries[0].lpOverlapped);
  if (it != awaited.end()) {
    awaited.erase(it);
    c.awaited = true;
  }
  c.key = entries[0].lpCompletionKey;
  c.ov = entries[0].lpOverlapped;
  c.bytes = entries[0].dwNumberOfBytesTransferred;
  c.status = ntstatus_of(entries[0].Internal);
  c.error = c.status < 0 ? win32_from_status(c.status) : 0;
  c.rule = rule;
  c.outcome = Outcome::reorder;
  st.hold(port, c);
  for (ULONG i = 1; i < *kept; ++i) entries[i - 1] = entries[i];
  --*kept;
}

template <class Finish>
BOOL run_batch(ShimState& st, HANDLE port, OVERLAPPED_ENTRY* entries, ULONG count, DWORD ms, BOOL alertable,
               std::optional<std::size_t>& index, const FaultRule& rule, Finish finish) {
  if (index) {
    if (const auto forced = forced_batch(st, port, entries, index, rule, finish)) return *forced;
  }
  const bool mixing = index && rule.outcome == Outcome::mixed_batch;
  bool hold_first = index && rule.outcome == Outcome::reorder;
  std::vector<SOCKET> sockets;
  std::vector<SOCKET>* track = mixing ? &sockets : nullptr;
  std::vector<const OVERLAPPED*> awaited;  // allocates only for deliver_before_return
  ULONG n = hold_first ? 0 : fill_from_held(st, port, entries, count, track, &awaited);
  DWORD error = WAIT_TIMEOUT;
  bool held_now = false;
  while (n < count && (n == 0 || (mixing && n < 2))) {
    ULONG got = 0;
    // A second helping (mixed_batch, or after holding one) takes only what is already queued.
    const DWORD wait_ms = (n == 0 && !held_now) ? ms : 0;
    const bool observed = st.journaling();
    if (observed) st.entering_batch_wait();
    const BOOL ok = st.inner.GetQueuedCompletionStatusEx(port, entries + n, count - n, &got, wait_ms, alertable);
    if (observed) st.left_batch_wait();
    if (!ok) {
      error = st.inner.GetLastError();
      break;
    }
    ULONG kept = filter(st, port, entries + n, got, track, &awaited);
    if (hold_first && kept > 0) {
      hold_first_entry(st, port, entries + n, &kept, static_cast<std::int16_t>(*index), awaited);
      if (track != nullptr) track->erase(track->begin() + n);
      hold_first = false;
      held_now = true;
    }
    n += kept;
  }
  if (n == 0) {
    n = fill_from_held(st, port, entries, count, track, &awaited);  // nothing came after it
    if (held_now) give_back(st, index);
  }
  if (hold_first || (mixing && !mix(st, port, entries, n, sockets, *index))) give_back(st, index);
  if (n == 0) return finish(FALSE, 1, error);
  const BOOL ok = finish(TRUE, n, 0);
  for (const OVERLAPPED* ov : awaited) st.mark_delivered(ov);  // the entries are written
  return ok;
}

// After a pass-through batch: the packets of ops the shim issued get their forced results.
[[gnu::noinline]] void look_at_batch(ShimState& st, HANDLE port, OVERLAPPED_ENTRY* entries, ULONG removed) {
  std::vector<const OVERLAPPED*> awaited;
  filter(st, port, entries, removed, nullptr, &awaited);
  for (const OVERLAPPED* ov : awaited) st.mark_delivered(ov);
}

// GetQueuedCompletionStatusEx when rules watch the port, packets are held, or the journal is on
// (each entry gets its own record).
[[gnu::noinline]] BOOL batch_with_rules(ShimState& st, HANDLE port, OVERLAPPED_ENTRY* entries, ULONG count,
                                        PULONG removed_out, DWORD ms, BOOL alertable) {
  IoApi& in = st.inner;
  Outcome outcome = Outcome::kCount;
  FaultRule rule;
  rule.outcome = Outcome::kCount;
  std::optional<std::size_t> index = batch_rule(st, &outcome, &rule);
  const DWORD entry_error = in.GetLastError();
  const auto finish = [&](BOOL ok, ULONG removed, DWORD error) {
    *removed_out = removed;  // on FALSE: 1, to be ignored (R2)
    in.SetLastError(ok ? entry_error : error);
    if (st.journaling()) {
      JournalEntry e;
      e.call = Call::GetQueuedCompletionStatusEx;
      e.handle = reinterpret_cast<std::uintptr_t>(port);
      e.arg = count;
      e.result = ok;
      e.bytes = removed;
      e.error = in.GetLastError();
      if (index) {
        e.rule = static_cast<std::int16_t>(*index);
        e.outcome = outcome;
      }
      st.note(e);
    }
    return ok;
  };
  return run_batch(st, port, entries, count, ms, alertable, index, rule, finish);
}

}  // namespace
}  // namespace shim_detail

BOOL FaultInjectingIoApi::GetQueuedCompletionStatusEx(HANDLE CompletionPort, LPOVERLAPPED_ENTRY lpCompletionPortEntries,
                                                      ULONG ulCount, PULONG ulNumEntriesRemoved, DWORD dwMilliseconds,
                                                      BOOL fAlertable) {
  if (lpCompletionPortEntries != nullptr && ulCount != 0 &&
      (busy_.load(std::memory_order_relaxed) &
       (shim_detail::ShimState::kWatchesWait | shim_detail::ShimState::kJournaling)) != 0) {
    return shim_detail::batch_with_rules(*state_, CompletionPort, lpCompletionPortEntries, ulCount, ulNumEntriesRemoved,
                                         dwMilliseconds, fAlertable);
  }
  // Pass-through: the backend's call, then a look at packets of ops the shim issued.
  const BOOL ok = inner_.GetQueuedCompletionStatusEx(CompletionPort, lpCompletionPortEntries, ulCount,
                                                     ulNumEntriesRemoved, dwMilliseconds, fAlertable);
  if (!ok || (busy_.load(std::memory_order_acquire) & shim_detail::ShimState::kTrackedMask) == 0) {
    return ok;  // see may_be_tracked
  }
  shim_detail::look_at_batch(*state_, CompletionPort, lpCompletionPortEntries, *ulNumEntriesRemoved);
  return ok;
}

}  // namespace iocpsim::iocp
