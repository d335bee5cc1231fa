// The fault shim's bookkeeping and the helpers that keep forced outcomes consistent.
#include "shim_state.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace iocpsim::iocp::shim_detail {

DWORD win32_from_status(NTSTATUS status) {
  struct Row {
    NTSTATUS status;
    DWORD win32;
  };
  // The statuses an op can end with here, and what GetQueuedCompletionStatus reports for them.
  static constexpr Row kRows[] = {
      {STATUS_CONNECTION_RESET, ERROR_NETNAME_DELETED},
      {STATUS_CONNECTION_ABORTED, ERROR_CONNECTION_ABORTED},
      {STATUS_CANCELLED, ERROR_OPERATION_ABORTED},
      {STATUS_CONNECTION_REFUSED, ERROR_CONNECTION_REFUSED},
      {STATUS_IO_TIMEOUT, ERROR_SEM_TIMEOUT},
      {STATUS_NETWORK_UNREACHABLE, ERROR_NETWORK_UNREACHABLE},
      {STATUS_HOST_UNREACHABLE, ERROR_HOST_UNREACHABLE},
      {STATUS_PROTOCOL_UNREACHABLE, ERROR_PROTOCOL_UNREACHABLE},
      {STATUS_PORT_UNREACHABLE, ERROR_PORT_UNREACHABLE},
      {STATUS_BUFFER_OVERFLOW, ERROR_MORE_DATA},
      {STATUS_HANDLES_CLOSED, 676},  // ERROR_HANDLES_CLOSED: missing from some SDK headers
      {STATUS_LOCAL_DISCONNECT, ERROR_NETNAME_DELETED},
      {STATUS_REMOTE_DISCONNECT, ERROR_NETNAME_DELETED},
      {STATUS_INVALID_CONNECTION, ERROR_CONNECTION_INVALID},
  };
  for (const Row& r : kRows) {
    if (r.status == status) return r.win32;
  }
  return ERROR_INVALID_PARAMETER;
}

NTSTATUS status_of(Outcome o) {
  switch (o) {
    case Outcome::peer_reset:
      return STATUS_CONNECTION_RESET;
    case Outcome::local_abort:
      return STATUS_CONNECTION_ABORTED;
    case Outcome::cancelled:
      return STATUS_CANCELLED;
    case Outcome::connect_refused:
      return STATUS_CONNECTION_REFUSED;
    case Outcome::connect_timeout:
      return STATUS_IO_TIMEOUT;
    case Outcome::network_unreachable:
      return STATUS_NETWORK_UNREACHABLE;
    case Outcome::host_unreachable:
      return STATUS_HOST_UNREACHABLE;
    default:
      return STATUS_SUCCESS;
  }
}

namespace {
constexpr std::size_t kMaxSpareOps = 256;
}

ShimState::ShimState(IoApi& inner_io, std::atomic<std::uint64_t>& word, const FaultOptions& options)
    : inner(inner_io),
      ender(dynamic_cast<EndsPendingOps*>(&inner_io)),
      busy(word),
      clock(options.clock != nullptr ? *options.clock : own_clock),
      journal(options.journal_capacity),
      random(options.seed) {
  busy.store((options.journal ? kJournaling : 0) | (ender == nullptr ? kKeepsLastError : 0), std::memory_order_relaxed);
  spare_ops.reserve(kMaxSpareOps);
}

void ShimState::note(JournalEntry entry) {
  entry.time_us = clock.now().count();
  journal.append(entry);
  observe(entry);
}

void ShimState::observe(const JournalEntry& e) {
  if (e.call == Call::kCount) return;  // an event forced now, not a call
  const bool wait = e.call == Call::GetQueuedCompletionStatus || e.call == Call::GetQueuedCompletionStatusEx;
  if (!e.batch_entry) {
    observed.calls[static_cast<std::size_t>(e.call)].fetch_add(1);
    if (wait && e.result == FALSE && e.error == WAIT_TIMEOUT) observed.timed_out_waits.fetch_add(1);
  }
  if (e.overlapped == nullptr) {
    if (e.call == Call::PostQueuedCompletionStatus && e.result != FALSE) observed.posted.fetch_add(1);
    // A packet without an OVERLAPPED taken from the port: GQCS's TRUE, or one entry of a
    // batch (a wake-up the shim made up was never posted).
    const bool taken = e.call == Call::GetQueuedCompletionStatusEx
                           ? e.batch_entry
                           : e.call == Call::GetQueuedCompletionStatus && e.result != FALSE;
    if (taken && e.outcome != Outcome::spurious_wakeup) observed.posted_dequeued.fetch_add(1);
  }
  wake_watchers();
}

void ShimState::wake_watchers(bool locked) {
  if (watchers.load() == 0) return;
  if (locked) {
    observed_changed.notify_all();
    return;
  }
  std::lock_guard lock(mu);
  observed_changed.notify_all();
}

void ShimState::entering_batch_wait() {
  observed.in_batch_wait.fetch_add(1);
  wake_watchers();
}

void ShimState::left_batch_wait() { observed.in_batch_wait.fetch_sub(1); }

std::optional<std::size_t> ShimState::match_locked(Call call, SOCKET s) {
  if (rules.empty()) return std::nullopt;
  RuleSet::Subject subject{call, nullptr, 0, clock.now()};
  if (s != INVALID_SOCKET) {
    const auto it = sockets.find(s);
    if (it != sockets.end()) {
      if (!it->second.tag.empty()) subject.tag = &it->second.tag;
      subject.bytes = it->second.bytes;
    }
  } else {
    for (const auto& [value, info] : sockets) subject.bytes += info.bytes;
  }
  return rules.match(subject, random);
}

void ShimState::track_locked(const OVERLAPPED* ov, const OpInfo& op) {
  // An op issued after its socket's port was closed completes into nothing (Windows frees the
  // packet): there is nothing to wait for.
  if (const auto s = sockets.find(op.socket); s != sockets.end() && s->second.port_closed) return;
  OpInfo* placed_op = nullptr;
  if (spare_ops.empty()) {
    const auto [it, inserted] = ops.try_emplace(ov, op);
    if (inserted) {
      busy.fetch_add(kOneTracked, std::memory_order_release);
    } else {  // the OVERLAPPED is reused: the new op replaces the old one
      uncount_held_locked(it->second);
      it->second = op;
    }
    placed_op = &it->second;
  } else {
    OpMap::node_type node = std::move(spare_ops.back());
    spare_ops.pop_back();
    node.key() = ov;
    node.mapped() = op;
    auto placed = ops.insert(std::move(node));
    if (placed.inserted) {
      busy.fetch_add(kOneTracked, std::memory_order_release);
    } else {
      uncount_held_locked(placed.position->second);
      placed.position->second = op;
      spare_ops.push_back(std::move(placed.node));
    }
    placed_op = &placed.position->second;
  }
  count_held_locked(*placed_op);
}

void ShimState::count_held_locked(OpInfo& op) {
  if (op.fate != OpInfo::Fate::held) return;
  op.issued = ++holds;
  if (ops_held++ == 0) busy.fetch_or(kOpsHeld, std::memory_order_release);
  if (op.call == Call::ConnectEx) sockets[op.socket].connect_unanswered = true;
}

void ShimState::uncount_held_locked(const OpInfo& op) {
  if (op.fate != OpInfo::Fate::held) return;
  if (--ops_held == 0) busy.fetch_and(~kOpsHeld, std::memory_order_release);
  if (op.call != Call::ConnectEx) return;
  if (const auto it = sockets.find(op.socket); it != sockets.end()) {
    it->second.connect_unanswered = false;
  }
}

std::size_t ShimState::end_held_locked(SOCKET s, const OVERLAPPED* only, HeldEnd why, NTSTATUS event_status) {
  std::vector<std::pair<std::uint64_t, OVERLAPPED*>> ended;
  for (auto& [ov, op] : ops) {
    if (op.socket != s || op.fate != OpInfo::Fate::held || (only != nullptr && ov != only)) continue;
    uncount_held_locked(op);
    op.fate = OpInfo::Fate::synthetic;  // keeps the rule that held it, for the journal
    op.forced.bytes = 0;                // nothing moved
    switch (why) {
      case HeldEnd::cancel:
        op.forced.status = STATUS_CANCELLED;
        break;
      case HeldEnd::close:
        op.forced.status = op.call == Call::ConnectEx ? STATUS_CANCELLED : STATUS_CONNECTION_ABORTED;
        break;
      case HeldEnd::event:
        op.forced.status = event_status;
        break;
    }
    ended.emplace_back(op.issued, const_cast<OVERLAPPED*>(ov));
  }
  // In the order they were issued, once the loop is done (a post that fails forgets its op).
  std::sort(ended.begin(), ended.end());
  for (const auto& [order, ov] : ended) post_synthetic_locked(s, ov, ops.at(ov).forced);
  return ended.size();
}

OpInfo ShimState::forget_op_locked(OpMap::iterator it) {
  OpMap::node_type node = ops.extract(it);
  busy.fetch_sub(kOneTracked, std::memory_order_release);
  OpInfo op = node.mapped();
  if (spare_ops.size() < kMaxSpareOps) spare_ops.push_back(std::move(node));
  wake_watchers(true);  // wait_dequeued
  return op;
}

void ShimState::untrack(const OVERLAPPED* ov) {
  std::lock_guard lock(mu);
  if (const auto it = ops.find(ov); it != ops.end()) forget_op_locked(it);
}

void ShimState::classify(Completion& c) {
  std::lock_guard lock(mu);
  const auto it = ops.find(c.ov);
  if (it == ops.end()) return;  // posted by the caller, or issued around the shim
  const OpInfo op = forget_op_locked(it);
  c.socket = op.socket;
  const bool rewrite = op.fate == OpInfo::Fate::synthetic ||
                       (op.fate == OpInfo::Fate::rewrite_if_cancelled && c.status == STATUS_CANCELLED);
  if (rewrite) {
    c.status = op.forced.status;
    c.bytes = op.forced.bytes;
    c.error = c.status < 0 ? win32_from_status(c.status) : 0;
    c.rule = op.forced.rule;
    c.outcome = op.forced.outcome;
    // The I/O manager writes the result into the OVERLAPPED when the packet is dequeued.
    c.ov->Internal = static_cast<DWORD>(c.status);
    c.ov->InternalHigh = c.bytes;
  }
  if (c.status >= 0) {
    const auto s = sockets.find(op.socket);
    if (s != sockets.end()) s->second.bytes += c.bytes;
  }
  c.awaited = op.awaited;
}

void ShimState::mark_delivered(const OVERLAPPED* ov) {
  std::lock_guard lock(mu);
  delivered.insert(ov);
  dequeued.notify_all();
}

bool ShimState::take_held(HANDLE port, Completion* out) {
  if ((busy.load(std::memory_order_acquire) & kHeldMask) == 0) return false;
  std::lock_guard lock(mu);
  for (auto it = held.begin(); it != held.end(); ++it) {
    if (it->port != port) continue;
    *out = it->completion;
    held.erase(it);
    busy.fetch_sub(kOneHeld, std::memory_order_release);
    return true;
  }
  return false;
}

void ShimState::hold(HANDLE port, const Completion& c) {
  std::lock_guard lock(mu);
  held.push_back({port, c});
  busy.fetch_add(kOneHeld, std::memory_order_release);
}

void ShimState::forget_port(HANDLE port) {
  std::lock_guard lock(mu);
  closed_ports.insert(port);
  // A closed port drops its packets (Windows frees them): nothing will be dequeued for these.
  for (auto& [socket, info] : sockets) {
    if (info.port == port) info.port_closed = true;
  }
  for (auto it = ops.begin(); it != ops.end();) {
    const auto s = sockets.find(it->second.socket);
    if (s != sockets.end() && s->second.port == port) {
      uncount_held_locked(it->second);
      it = ops.erase(it);
      busy.fetch_sub(kOneTracked, std::memory_order_release);
    } else {
      ++it;
    }
  }
  for (auto it = held.begin(); it != held.end();) {
    if (it->port == port) {
      it = held.erase(it);
      busy.fetch_sub(kOneHeld, std::memory_order_release);
    } else {
      ++it;
    }
  }
  wake_watchers(true);
}

void ShimState::post_synthetic(SOCKET s, OVERLAPPED* ov, const Forced& forced) {
  std::lock_guard lock(mu);
  post_synthetic_locked(s, ov, forced);
}

void ShimState::post_synthetic_locked(SOCKET s, OVERLAPPED* ov, const Forced& forced) {
  HANDLE port = nullptr;
  ULONG_PTR key = 0;
  const auto it = sockets.find(s);
  if (it != sockets.end()) {
    port = it->second.port;
    key = it->second.key;
  }
  ErrorKeeper keep(inner);
  if (port == nullptr || !inner.PostQueuedCompletionStatus(port, forced.bytes, key, ov)) {
    // No port (or a closed one): the result stays in the OVERLAPPED, and no packet comes.
    if (const auto op = ops.find(ov); op != ops.end()) forget_op_locked(op);
    ov->Internal = static_cast<DWORD>(forced.status);
    ov->InternalHigh = forced.bytes;
  }
}

namespace {

// Under mu: ends the socket's real ops (optionally only receives) with `forced`. With a backend
// that can (EndsPendingOps), each is ended so, its packet classified as forced; the others are
// cancelled, and their 995 becomes `forced` when dequeued. An op that completed on its own
// meanwhile keeps its own result.
void end_real_ops_locked(ShimState& st, SOCKET s, const Forced& forced, bool receives_only) {
  for (auto& [ov, op] : st.ops) {
    if (op.socket != s || op.fate != OpInfo::Fate::real) continue;
    if (receives_only && op.call != Call::WSARecv) continue;
    auto* real = const_cast<OVERLAPPED*>(ov);
    if (st.ender != nullptr) {
      if (st.ender->EndPendingOp(reinterpret_cast<HANDLE>(s), real, forced.status, forced.bytes) != FALSE) {
        op.fate = OpInfo::Fate::synthetic;
        op.forced = forced;
      }
      continue;
    }
    op.fate = OpInfo::Fate::rewrite_if_cancelled;
    op.forced = forced;
    st.inner.CancelIoEx(reinterpret_cast<HANDLE>(s), real);
  }
}

}  // namespace

// Both run under mu from start to end: a worker that dequeues any packet they queue looks at it
// (classify) only once the connection is in its new state, so it cannot close the socket, and
// free its value for reuse, while the shim still calls the backend on it. The op that caused the
// event (`own`) has its packet queued first, then the ops the event also ends.
void ShimState::kill_connection(SOCKET s, const Forced& forced, const OwnPacket& own) {
  std::lock_guard lock(mu);
  if (own.ov != nullptr) post_synthetic_locked(s, own.ov, own.forced);
  ErrorKeeper keep(inner);
  end_real_ops_locked(*this, s, forced, false);
  end_held_locked(s, nullptr, HeldEnd::event, forced.status);
  // The backend cannot reset a connection it keeps open, so: no more data either way now, and
  // RST (not FIN) when the owner closes the socket.
  const linger abort_on_close{1, 0};
  inner.setsockopt(s, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&abort_on_close), sizeof abort_on_close);
  inner.shutdown(s, SD_BOTH);
}

void ShimState::half_close_read(SOCKET s, const Forced& forced, const OwnPacket& own) {
  std::lock_guard lock(mu);
  if (own.ov != nullptr) post_synthetic_locked(s, own.ov, own.forced);
  ErrorKeeper keep(inner);
  end_real_ops_locked(*this, s, forced, true);
  inner.shutdown(s, SD_RECEIVE);
}

}  // namespace iocpsim::iocp::shim_detail
