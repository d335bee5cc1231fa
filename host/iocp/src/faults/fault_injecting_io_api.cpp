// FaultInjectingIoApi: construction, rule arming, tags, observation, and the calls that only
// pass through (journaled, and noted where the shim must know what happened: sockets, ports,
// modes), but for the notification modes a rule answers (R9, R9b) and the ops the shim holds,
// which only its CancelIoEx and closesocket end.
#include "iocpsim/iocp/fault_injecting_io_api.hpp"

#include <algorithm>
#include <optional>
#include <type_traits>
#include <utility>

#include "shim_state.hpp"

namespace iocpsim::iocp {
namespace shim_detail {
namespace {

std::uintptr_t as_value(HANDLE h) { return reinterpret_cast<std::uintptr_t>(h); }

template <class T>
std::int64_t result_value(T v) {
  if constexpr (std::is_pointer_v<T>) {
    return static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(v));
  } else {
    return static_cast<std::int64_t>(v);
  }
}

template <class T>
[[gnu::noinline]] void journal_plain(ShimState& st, Call call, std::uintptr_t handle, T result) {
  JournalEntry e;
  e.call = call;
  e.handle = handle;
  e.result = result_value(result);
  e.error = st.inner.GetLastError();
  st.note(e);
}

// Runs a plain call and journals it; with the journal off, only the call.
template <class Fn>
auto journaled(ShimState& st, Call call, std::uintptr_t handle, Fn fn) {
  if (!st.journaling()) return fn();
  const auto result = fn();
  journal_plain(st, call, handle, result);
  return result;
}

// CancelIoEx while ops are held: a held op ends with 995 (R7) and has nothing real to cancel;
// the real ops are cancelled as usual.
[[gnu::noinline]] BOOL cancel_with_held(ShimState& st, HANDLE file, OVERLAPPED* ov) {
  const SOCKET s = reinterpret_cast<SOCKET>(file);
  std::size_t ended = 0;
  {
    std::lock_guard lock(st.mu);
    ended = st.end_held_locked(s, ov, ShimState::HeldEnd::cancel);
  }
  BOOL ok = TRUE;
  if (ended == 0 || ov == nullptr) {
    const DWORD before = st.inner.GetLastError();
    ok = st.inner.CancelIoEx(file, ov);
    if (!ok && ended > 0) {  // 1168 only if nothing at all was pending
      st.inner.SetLastError(before);
      ok = TRUE;
    }
  }
  if (st.journaling()) journal_plain(st, Call::CancelIoEx, reinterpret_cast<std::uintptr_t>(file), ok);
  return ok;
}

// Closing a socket with held ops ends them first (R6b, R6).
void end_held_on_close(ShimState& st, SOCKET s) {
  std::lock_guard lock(st.mu);
  st.end_held_locked(s, nullptr, ShimState::HeldEnd::close);
}

// SetFileCompletionNotificationModes with rules armed: a provider that pretends to set
// skip-on-success (R9: TRUE, and at-once successes still queue a packet) or refuses it (R9b:
// FALSE, 87). nullopt: no rule fired, the call passes through.
[[gnu::noinline]] std::optional<BOOL> forced_notification_modes(ShimState& st, HANDLE file, UCHAR flags) {
  const SOCKET s = reinterpret_cast<SOCKET>(file);
  const bool asks_skip = (flags & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) != 0;
  JournalEntry e;
  e.call = Call::SetFileCompletionNotificationModes;
  e.handle = s;
  e.arg = flags;
  {
    std::lock_guard lock(st.mu);
    const std::optional<std::size_t> index = st.match_locked(e.call, s);
    if (!index) return std::nullopt;
    e.rule = static_cast<std::int16_t>(*index);
    e.outcome = st.rules.rule(*index).outcome;
    if (e.outcome == Outcome::skip_mode_ignored && !asks_skip) {
      st.rules.unfire(*index);  // nothing to ignore: the rule waits for a call that asks
      return std::nullopt;
    }
  }
  BOOL ok = FALSE;
  if (e.outcome == Outcome::skip_mode_refused) {
    st.inner.SetLastError(ERROR_INVALID_PARAMETER);  // nothing set
  } else {
    // The other flags are set; the mode the socket had stays as it was.
    const UCHAR others = static_cast<UCHAR>(flags & ~FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
    ok = others == 0 ? TRUE : st.inner.SetFileCompletionNotificationModes(file, others);
    if (others != 0 && ok) {
      std::lock_guard lock(st.mu);
      st.sockets[s].skip_on_success = false;
    }
  }
  if (st.journaling()) {
    e.result = ok;
    e.error = st.inner.GetLastError();
    st.note(e);
  }
  return ok;
}

void fresh_socket(ShimState& st, SOCKET s) {
  if (s == INVALID_SOCKET) return;
  std::lock_guard lock(st.mu);
  SocketInfo fresh;
  fresh.generation = ++st.socket_generations;
  st.sockets.insert_or_assign(s, fresh);  // a reused value starts clean
}

}  // namespace
}  // namespace shim_detail

using shim_detail::as_value;
using shim_detail::journaled;

FaultInjectingIoApi::FaultInjectingIoApi(IoApi& inner, FaultOptions options)
    : inner_(inner), state_(std::make_unique<shim_detail::ShimState>(inner, busy_, options)) {}

FaultInjectingIoApi::~FaultInjectingIoApi() = default;

void FaultInjectingIoApi::arm(std::vector<FaultRule> rules) {
  for (const FaultRule& r : rules) {
    if (const std::optional<RuleProblem> problem = rule_problem(r)) {
      throw FaultRuleError(problem->field, problem->problem);
    }
  }
  std::lock_guard lock(state_->mu);
  state_->rules = RuleSet(std::move(rules), state_->clock.now());
  if (state_->rules.watches_port()) {
    state_->busy.fetch_or(shim_detail::ShimState::kPortRules, std::memory_order_release);
  } else {
    state_->busy.fetch_and(~shim_detail::ShimState::kPortRules, std::memory_order_release);
  }
  state_->any_rules.store(!state_->rules.empty(), std::memory_order_release);
}

void FaultInjectingIoApi::tag_socket(SOCKET s, std::string tag) {
  std::lock_guard lock(state_->mu);
  state_->sockets[s].tag = std::move(tag);
}

void FaultInjectingIoApi::force_now(SOCKET s, Outcome outcome) {
  shim_detail::ShimState& st = *state_;
  const shim_detail::Forced forced{shim_detail::status_of(outcome), 0, JournalEntry::kNoRule, outcome};
  const auto set_health = [&](shim_detail::Health h) {
    std::lock_guard lock(st.mu);
    st.sockets[s].health = h;
  };
  switch (outcome) {
    case Outcome::peer_fin:
      set_health(shim_detail::Health::fin);
      st.half_close_read(s, forced);
      break;
    case Outcome::peer_reset:
    case Outcome::local_abort:
      set_health(outcome == Outcome::peer_reset ? shim_detail::Health::reset : shim_detail::Health::aborted);
      st.kill_connection(s, forced);
      break;
    case Outcome::cancelled: {
      shim_detail::ErrorKeeper keep(st.inner);
      {
        std::lock_guard lock(st.mu);
        st.end_held_locked(s, nullptr, shim_detail::ShimState::HeldEnd::cancel);
      }
      st.inner.CancelIoEx(reinterpret_cast<HANDLE>(s), nullptr);
      break;
    }
    default:
      throw FaultRuleError("force_now", std::string(outcome_name(outcome)) +
                                            " is not an event of a connection; expected peer_fin, peer_reset, "
                                            "local_abort or cancelled");
  }
  if (st.journaling()) {
    JournalEntry e;  // an event, not a call: call stays kCount
    e.handle = s;
    e.outcome = outcome;
    st.note(e);
  }
}

std::uint64_t FaultInjectingIoApi::seed() const { return state_->random.seed(); }

std::uint64_t FaultInjectingIoApi::fired(std::size_t rule_index) const {
  std::lock_guard lock(state_->mu);
  return rule_index < state_->rules.size() ? state_->rules.fired(rule_index) : 0;
}

Journal& FaultInjectingIoApi::journal() { return state_->journal; }

void FaultInjectingIoApi::set_journaling(bool on) {
  using shim_detail::ShimState;
  if (on) {
    state_->busy.fetch_or(ShimState::kJournaling, std::memory_order_relaxed);
  } else {
    state_->busy.fetch_and(~ShimState::kJournaling, std::memory_order_relaxed);
  }
}

ShimOutstanding FaultInjectingIoApi::outstanding() const {
  std::lock_guard lock(state_->mu);
  return {state_->ops.size(), state_->held.size()};
}

CallCounts CallCounts::since(const CallCounts& earlier) const {
  CallCounts d;
  for (std::size_t i = 0; i < calls.size(); ++i) d.calls[i] = calls[i] - earlier.calls[i];
  d.timed_out_waits = timed_out_waits - earlier.timed_out_waits;
  return d;
}

CallCounts FaultInjectingIoApi::counts() const {
  const shim_detail::Observed& o = state_->observed;
  CallCounts c;
  for (std::size_t i = 0; i < c.calls.size(); ++i) c.calls[i] = o.calls[i].load();
  c.timed_out_waits = o.timed_out_waits.load();
  return c;
}

std::uint64_t FaultInjectingIoApi::count(Call c) const {
  return state_->observed.calls[static_cast<std::size_t>(c)].load();
}

bool FaultInjectingIoApi::wait_calls(Call c, std::uint64_t n, std::chrono::milliseconds ceiling) {
  return state_->wait_observed(ceiling, [&] { return count(c) >= n; });
}

bool FaultInjectingIoApi::wait_batch_waiters(std::size_t n, std::chrono::milliseconds ceiling) {
  const shim_detail::Observed& o = state_->observed;
  return state_->wait_observed(ceiling, [&] { return o.in_batch_wait.load() >= n; });
}

bool FaultInjectingIoApi::wait_posted_dequeued(std::chrono::milliseconds ceiling) {
  const shim_detail::Observed& o = state_->observed;
  return state_->wait_observed(ceiling, [&] {
    const std::uint64_t dequeued = o.posted_dequeued.load();  // first: the other only grows
    return dequeued >= o.posted.load();
  });
}

bool FaultInjectingIoApi::wait_dequeued(Call c, std::chrono::milliseconds ceiling) {
  const shim_detail::ShimState& st = *state_;
  return state_->wait_observed(ceiling, [&] {  // under mu: the ops are stable
    return std::none_of(st.ops.begin(), st.ops.end(), [&](const auto& op) { return op.second.call == c; });
  });
}

// ---- association and modes: the shim needs each socket's port, key and skip mode ----
HANDLE FaultInjectingIoApi::CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort,
                                                   ULONG_PTR CompletionKey, DWORD NumberOfConcurrentThreads) {
  const HANDLE h = journaled(*state_, Call::CreateIoCompletionPort, as_value(FileHandle), [&] {
    return state_->inner.CreateIoCompletionPort(FileHandle, ExistingCompletionPort, CompletionKey,
                                                NumberOfConcurrentThreads);
  });
  if (h != nullptr && FileHandle != INVALID_HANDLE_VALUE) {
    std::lock_guard lock(state_->mu);
    shim_detail::SocketInfo& info = state_->sockets[reinterpret_cast<SOCKET>(FileHandle)];
    info.port = ExistingCompletionPort;
    info.key = CompletionKey;
    // The port may have been closed (R3) on another thread between the association and here.
    info.port_closed = state_->closed_ports.count(ExistingCompletionPort) != 0;
  } else if (h != nullptr) {
    std::lock_guard lock(state_->mu);
    state_->closed_ports.erase(h);  // a new port may get a closed one's handle
  }
  return h;
}

BOOL FaultInjectingIoApi::SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags) {
  if (state_->any_rules.load(std::memory_order_acquire)) {
    if (const auto forced = shim_detail::forced_notification_modes(*state_, FileHandle, Flags)) {
      return *forced;
    }
  }
  const BOOL ok = journaled(*state_, Call::SetFileCompletionNotificationModes, as_value(FileHandle),
                            [&] { return state_->inner.SetFileCompletionNotificationModes(FileHandle, Flags); });
  if (ok) {
    std::lock_guard lock(state_->mu);
    state_->sockets[reinterpret_cast<SOCKET>(FileHandle)].skip_on_success =
        (Flags & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) != 0;
  }
  return ok;
}

BOOL FaultInjectingIoApi::CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped) {
  if ((busy_.load(std::memory_order_acquire) & shim_detail::ShimState::kOpsHeld) != 0) {
    return shim_detail::cancel_with_held(*state_, hFile, lpOverlapped);
  }
  return journaled(*state_, Call::CancelIoEx, as_value(hFile),
                   [&] { return state_->inner.CancelIoEx(hFile, lpOverlapped); });
}

// ---- last error: the backend's own ----
DWORD FaultInjectingIoApi::GetLastError() { return state_->inner.GetLastError(); }
void FaultInjectingIoApi::SetLastError(DWORD dwErrCode) { state_->inner.SetLastError(dwErrCode); }
int FaultInjectingIoApi::WSAGetLastError() { return state_->inner.WSAGetLastError(); }
void FaultInjectingIoApi::WSASetLastError(int iError) { state_->inner.WSASetLastError(iError); }

// ---- sockets ----
SOCKET FaultInjectingIoApi::socket(int af, int type, int protocol) {
  const SOCKET s = journaled(*state_, Call::socket, 0, [&] { return state_->inner.socket(af, type, protocol); });
  shim_detail::fresh_socket(*state_, s);
  return s;
}

int FaultInjectingIoApi::bind(SOCKET s, const sockaddr* name, int namelen) {
  return journaled(*state_, Call::bind, s, [&] { return state_->inner.bind(s, name, namelen); });
}

int FaultInjectingIoApi::listen(SOCKET s, int backlog) {
  return journaled(*state_, Call::listen, s, [&] { return state_->inner.listen(s, backlog); });
}

int FaultInjectingIoApi::closesocket(SOCKET s) {
  if ((busy_.load(std::memory_order_acquire) & shim_detail::ShimState::kOpsHeld) != 0) {
    shim_detail::end_held_on_close(*state_, s);
  }
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(state_->mu);
    const auto it = state_->sockets.find(s);
    if (it != state_->sockets.end()) generation = it->second.generation;
  }
  const int rc = journaled(*state_, Call::closesocket, s, [&] { return state_->inner.closesocket(s); });
  if (rc == 0) {
    // Once the call below has freed the handle, another thread may get it for a new socket and
    // set that one up before this one takes the lock: only the closed socket's entry goes.
    std::lock_guard lock(state_->mu);
    const auto it = state_->sockets.find(s);
    if (it != state_->sockets.end() && it->second.generation == generation) state_->sockets.erase(it);
  }
  return rc;
}

int FaultInjectingIoApi::shutdown(SOCKET s, int how) {
  return journaled(*state_, Call::shutdown, s, [&] { return state_->inner.shutdown(s, how); });
}

int FaultInjectingIoApi::setsockopt(SOCKET s, int level, int optname, const char* optval, int optlen) {
  return journaled(*state_, Call::setsockopt, s,
                   [&] { return state_->inner.setsockopt(s, level, optname, optval, optlen); });
}

int FaultInjectingIoApi::getsockopt(SOCKET s, int level, int optname, char* optval, int* optlen) {
  return journaled(*state_, Call::getsockopt, s,
                   [&] { return state_->inner.getsockopt(s, level, optname, optval, optlen); });
}

int FaultInjectingIoApi::getsockname(SOCKET s, sockaddr* name, int* namelen) {
  return journaled(*state_, Call::getsockname, s, [&] { return state_->inner.getsockname(s, name, namelen); });
}

int FaultInjectingIoApi::getpeername(SOCKET s, sockaddr* name, int* namelen) {
  return journaled(*state_, Call::getpeername, s, [&] { return state_->inner.getpeername(s, name, namelen); });
}

// ---- blocking calls (test peers): passed through ----
SOCKET FaultInjectingIoApi::accept(SOCKET s, sockaddr* addr, int* addrlen) {
  const SOCKET a = journaled(*state_, Call::accept, s, [&] { return state_->inner.accept(s, addr, addrlen); });
  shim_detail::fresh_socket(*state_, a);
  return a;
}

int FaultInjectingIoApi::connect(SOCKET s, const sockaddr* name, int namelen) {
  return journaled(*state_, Call::connect, s, [&] { return state_->inner.connect(s, name, namelen); });
}

int FaultInjectingIoApi::send(SOCKET s, const char* buf, int len, int flags) {
  return journaled(*state_, Call::send, s, [&] { return state_->inner.send(s, buf, len, flags); });
}

int FaultInjectingIoApi::recv(SOCKET s, char* buf, int len, int flags) {
  return journaled(*state_, Call::recv, s, [&] { return state_->inner.recv(s, buf, len, flags); });
}

BOOL FaultInjectingIoApi::WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer,
                                                 BOOL fWait, LPDWORD lpdwFlags) {
  return journaled(*state_, Call::WSAGetOverlappedResult, s, [&] {
    return state_->inner.WSAGetOverlappedResult(s, lpOverlapped, lpcbTransfer, fWait, lpdwFlags);
  });
}

}  // namespace iocpsim::iocp
