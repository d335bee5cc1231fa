// The overlapped calls through the shim: WSARecv, WSASend, ConnectEx, AcceptEx.
//
// Each call is planned first (under the shim's lock: the connection's forced state, then the
// rules), then carried out. How each outcome keeps the world consistent:
// - outcomes that end an op with a failure or an end of stream (peer_reset, local_abort,
//   peer_fin, connect_*) issue no real op: the shim posts the op's one packet itself and rewrites
//   it when dequeued, and makes the connection match before any of it can be looked at (reset:
//   real ops still pending end with the reset after the op's own packet
//   (ShimState::kill_connection), the real socket is shut and set to RST on close; FIN: the read
//   side is shut and later receives complete at once with 0 bytes);
// - immediate_error issues nothing; success/short_send cap the buffers the real op gets;
// - cancelled cancels the real op, whose own packet then reports 995;
// - sync_success(_skip) shape whether the real op's at-once success queues a packet;
// - deliver_before_return waits, inside the issuing call, until the packet was dequeued;
// - connect_unanswered and peer_not_reading issue nothing and hold the op, packet-less, until
//   CancelIoEx (R7), the socket's close (R6b, R6) or a torn-down connection ends it
//   (ShimState::end_held_locked); a peer that stopped reading holds every later send too.
#include "iocpsim/iocp/fault_injecting_io_api.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "shim_state.hpp"

namespace iocpsim::iocp {
namespace shim_detail {
namespace {

enum class Issued { done_now, pending, failed };

struct Request {
  Call call;
  SOCKET s;
  OVERLAPPED* ov;
  DWORD requested;
};

struct Plan {
  enum class Kind { pass, fail_now, synthetic, fin_read, cap, sync_shape, cancel_after, await, hold };
  Kind kind = Kind::pass;
  int error = 0;            // fail_now
  Forced forced;            // synthetic, and what a forced event does to sibling ops
  DWORD cap = 0;            // cap
  bool with_packet = true;  // sync_shape
  DWORD wait_ms = 0;        // await
  bool teardown = false;    // this call makes the connection reset/aborted/half-closed
  bool skip = false;        // the socket skips the port on success
  std::optional<std::size_t> rule;
};

bool is_transfer(Call c) { return c == Call::WSARecv || c == Call::WSASend; }

// Calls on a connection the shim already forced into a state answer as Windows would.
std::optional<Plan> health_plan(const SocketInfo& info, Call call) {
  Plan p;
  if (call == Call::ConnectEx && info.connect_unanswered) {
    p.kind = Plan::Kind::fail_now;  // one connect at a time
    p.error = WSAEALREADY;
    return p;
  }
  if (!is_transfer(call)) return std::nullopt;
  switch (info.health) {
    case Health::reset:
      p.kind = Plan::Kind::fail_now;
      p.error = WSAECONNRESET;
      return p;  // R5b
    case Health::aborted:
      p.kind = Plan::Kind::fail_now;
      p.error = WSAECONNABORTED;
      return p;
    case Health::fin:
      if (call != Call::WSARecv) return std::nullopt;  // a half-close leaves sending alone
      p.kind = Plan::Kind::fin_read;                   // R4 then R9/R9b: done at once with 0 bytes
      return p;
    case Health::ok:
      break;
  }
  if (call == Call::WSASend && info.peer_not_reading) {  // R7 R6: it pends like the first
    p.kind = Plan::Kind::hold;
    p.forced.outcome = Outcome::peer_not_reading;
    return p;
  }
  return std::nullopt;
}

Plan rule_plan(const FaultRule& r, std::size_t index, const Request& rq) {
  Plan p;
  p.rule = index;
  p.forced = {status_of(r.outcome), 0, static_cast<std::int16_t>(index), r.outcome};
  switch (r.outcome) {
    case Outcome::success:
      if (r.bytes && *r.bytes < rq.requested) {
        p.kind = Plan::Kind::cap;
        p.cap = *r.bytes;
      }
      break;
    case Outcome::short_send:
      p.kind = Plan::Kind::cap;
      p.cap = r.bytes.value_or(1);
      break;
    case Outcome::peer_reset:
      if (rq.call == Call::WSASend) p.forced.bytes = std::min(r.bytes.value_or(0), rq.requested);
      [[fallthrough]];
    case Outcome::local_abort:
    case Outcome::peer_fin:
      p.teardown = true;
      [[fallthrough]];
    case Outcome::connect_refused:
    case Outcome::connect_timeout:
    case Outcome::network_unreachable:
    case Outcome::host_unreachable:
      p.kind = Plan::Kind::synthetic;
      break;
    case Outcome::cancelled:
      p.kind = Plan::Kind::cancel_after;
      break;
    case Outcome::sync_success:
    case Outcome::sync_success_skip:
      p.kind = Plan::Kind::sync_shape;
      p.with_packet = r.outcome == Outcome::sync_success;
      break;
    case Outcome::immediate_error:
      p.kind = Plan::Kind::fail_now;
      p.error = r.error;
      p.teardown = r.error == WSAECONNRESET || r.error == WSAECONNABORTED;
      p.forced.status = r.error == WSAECONNRESET ? STATUS_CONNECTION_RESET : STATUS_CONNECTION_ABORTED;
      break;
    case Outcome::deliver_before_return:
      p.kind = Plan::Kind::await;
      p.wait_ms = r.wait_ms;
      break;
    case Outcome::connect_unanswered:
    case Outcome::peer_not_reading:
      p.kind = Plan::Kind::hold;
      break;
    default:
      break;
  }
  return p;
}

Health health_after(const Plan& p) {
  if (p.forced.outcome == Outcome::peer_fin) return Health::fin;
  return p.forced.status == STATUS_CONNECTION_RESET ? Health::reset : Health::aborted;
}

void track_plan_locked(ShimState& st, const Request& rq, const Plan& p) {
  OpInfo op;
  op.socket = rq.s;
  op.call = rq.call;
  switch (p.kind) {
    case Plan::Kind::fail_now:
      return;
    case Plan::Kind::fin_read:
      if (p.skip) return;  // R9b: no packet
      op.fate = OpInfo::Fate::synthetic;
      op.forced = {STATUS_SUCCESS, 0, JournalEntry::kNoRule, Outcome::kCount};
      break;
    case Plan::Kind::synthetic:
      op.fate = OpInfo::Fate::synthetic;
      op.forced = p.forced;
      break;
    case Plan::Kind::hold:
      op.fate = OpInfo::Fate::held;
      op.forced = p.forced;
      break;
    default:
      op.awaited = p.kind == Plan::Kind::await;
      break;
  }
  st.track_locked(rq.ov, op);
}

Plan make_plan(ShimState& st, const Request& rq) {
  std::lock_guard lock(st.mu);
  SocketInfo& info = st.sockets[rq.s];
  Plan p;
  if (std::optional<Plan> h = health_plan(info, rq.call)) {
    p = *h;
  } else if (const auto index = st.match_locked(rq.call, rq.s)) {
    p = rule_plan(st.rules.rule(*index), *index, rq);
    if (p.kind == Plan::Kind::cap && p.cap >= rq.requested) {  // cannot be short: next time
      st.rules.unfire(*index);
      p = Plan{};
    }
  }
  p.skip = info.skip_on_success;
  // The world changes before the call returns: a worker may dequeue the packet first (R15).
  if (p.teardown) info.health = health_after(p);
  // A peer that stopped reading does not start again: later sends pend too.
  if (p.kind == Plan::Kind::hold && rq.call == Call::WSASend) info.peer_not_reading = true;
  track_plan_locked(st, rq, p);
  return p;
}

void unfire(ShimState& st, Plan& p) {
  if (!p.rule) return;
  std::lock_guard lock(st.mu);
  st.rules.unfire(*p.rule);
  p.rule.reset();
}

void wait_for_dequeue(ShimState& st, const OVERLAPPED* ov, DWORD wait_ms) {
  std::unique_lock lock(st.mu);
  // A ceiling only: the packet normally goes to another worker at once.
  st.dequeued.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return st.delivered.count(ov) != 0; });
  st.delivered.erase(ov);
  if (const auto it = st.ops.find(ov); it != st.ops.end()) it->second.awaited = false;
}

// R9 on a socket that skips the port: the real op queued nothing, so the shim queues the packet.
void post_for_sync_success(ShimState& st, const Request& rq) {
  const Forced ok{STATUS_SUCCESS, static_cast<DWORD>(rq.ov->InternalHigh), JournalEntry::kNoRule, Outcome::kCount};
  {
    std::lock_guard lock(st.mu);
    OpInfo op{rq.s, rq.call, OpInfo::Fate::synthetic, ok, false};
    st.track_locked(rq.ov, op);
  }
  st.post_synthetic(rq.s, rq.ov, ok);
}

void after_real(ShimState& st, const Request& rq, Plan& p, Issued r) {
  const bool shaping = p.kind == Plan::Kind::sync_shape || p.kind == Plan::Kind::cancel_after;
  if (r == Issued::failed) {
    st.untrack(rq.ov);
    if (shaping || p.kind == Plan::Kind::await) unfire(st, p);
    return;
  }
  const bool packet_queued = r == Issued::pending || !p.skip;
  if (!packet_queued) {
    if (p.kind == Plan::Kind::sync_shape && p.with_packet) {
      post_for_sync_success(st, rq);
      return;
    }
    st.untrack(rq.ov);
  }
  if (r == Issued::pending && p.kind == Plan::Kind::cancel_after) {
    ErrorKeeper keep(st.inner);
    st.inner.CancelIoEx(reinterpret_cast<HANDLE>(rq.s), rq.ov);  // R7: its packet says 995
  } else if ((r == Issued::pending && p.kind == Plan::Kind::sync_shape) ||
             (r == Issued::done_now && p.kind == Plan::Kind::cancel_after)) {
    unfire(st, p);  // nothing honest to force on this one: the rule waits for the next
  }
  if (p.kind == Plan::Kind::await && packet_queued) wait_for_dequeue(st, rq.ov, p.wait_ms);
}

// Carries the plan out; `real(cap)` issues the real call with at most cap bytes.
template <class RealFn>
Issued carry_out(ShimState& st, const Request& rq, Plan& p, LPDWORD bytes_out, RealFn real) {
  switch (p.kind) {
    case Plan::Kind::fail_now:
      if (p.teardown) st.kill_connection(rq.s, p.forced);
      st.inner.WSASetLastError(p.error);
      return Issued::failed;
    case Plan::Kind::synthetic:
      rq.ov->Internal = static_cast<DWORD>(STATUS_PENDING);
      rq.ov->InternalHigh = 0;
      if (!p.teardown) {
        st.post_synthetic(rq.s, rq.ov, p.forced);
      } else if (p.forced.outcome == Outcome::peer_fin) {
        st.half_close_read(rq.s, {}, {rq.ov, p.forced});
      } else {
        st.kill_connection(rq.s, p.forced, {rq.ov, p.forced});
      }
      st.inner.WSASetLastError(WSA_IO_PENDING);
      return Issued::pending;
    case Plan::Kind::hold:  // nothing is issued, and nothing comes until it is ended
      rq.ov->Internal = static_cast<DWORD>(STATUS_PENDING);
      rq.ov->InternalHigh = 0;
      st.inner.WSASetLastError(WSA_IO_PENDING);
      return Issued::pending;
    case Plan::Kind::fin_read:
      rq.ov->Internal = STATUS_SUCCESS;
      rq.ov->InternalHigh = 0;
      if (bytes_out != nullptr) *bytes_out = 0;
      if (!p.skip) st.post_synthetic(rq.s, rq.ov, {});
      return Issued::done_now;
    default:
      break;
  }
  // R9b needs a socket in skip mode: on one that queues packets, Windows queues one for every
  // at-once success, so a success without its packet would be a world Windows never makes (the
  // caller would wait for the packet for ever). The rule waits for a call on a socket that skips.
  if (p.kind == Plan::Kind::sync_shape && !p.with_packet && !p.skip) {
    unfire(st, p);
    p.kind = Plan::Kind::pass;
  }
  // Only WSA_IO_PENDING means pending; the shim's own calls below keep the caller's last error.
  const Issued r = real(p.kind == Plan::Kind::cap ? p.cap : ~DWORD{0});
  after_real(st, rq, p, r);
  return r;
}

Issued from_int(IoApi& io, int rc) {
  if (rc == 0) return Issued::done_now;
  return io.WSAGetLastError() == WSA_IO_PENDING ? Issued::pending : Issued::failed;
}

Issued from_bool(IoApi& io, BOOL ok) {
  if (ok) return Issued::done_now;
  return io.WSAGetLastError() == WSA_IO_PENDING ? Issued::pending : Issued::failed;
}

DWORD total_bytes(const WSABUF* buffers, DWORD count) {
  DWORD total = 0;
  for (DWORD i = 0; i < count; ++i) total += buffers[i].len;
  return total;
}

// The caller's buffers cut to the first cap bytes.
std::vector<WSABUF> capped(const WSABUF* buffers, DWORD count, DWORD cap) {
  std::vector<WSABUF> out;
  for (DWORD i = 0; i < count && cap > 0; ++i) {
    const ULONG len = buffers[i].len < cap ? buffers[i].len : cap;
    out.push_back({len, buffers[i].buf});
    cap -= len;
  }
  if (out.empty()) out.push_back({0, count > 0 ? buffers[0].buf : nullptr});
  return out;
}

void journal_op(ShimState& st, const Request& rq, const Plan& p, Issued r, LPDWORD bytes_out) {
  if (!st.journaling()) return;
  JournalEntry e;
  e.call = rq.call;
  e.handle = rq.s;
  e.overlapped = rq.ov;
  e.arg = rq.requested;
  e.result = is_transfer(rq.call) ? (r == Issued::done_now ? 0 : SOCKET_ERROR) : (r == Issued::done_now);
  e.bytes = (r == Issued::done_now && bytes_out != nullptr) ? *bytes_out : 0;
  e.error = st.inner.GetLastError();
  if (p.rule) {
    e.rule = static_cast<std::int16_t>(*p.rule);
    e.outcome = p.forced.outcome;  // copied under the lock: arm() may run meanwhile
  }
  st.note(e);
}

}  // namespace

// With no rule armed, an op on a connection in its normal state only needs noting (so that an
// event forced later can still end it, and its bytes count); nullopt: the socket's state matters.
std::optional<bool> note_plain_op(ShimState& st, const Request& rq) {
  std::lock_guard lock(st.mu);
  const SocketInfo& info = st.sockets[rq.s];  // as make_plan: its bytes count from now on
  if (info.health != Health::ok || info.peer_not_reading || info.connect_unanswered) {
    return std::nullopt;
  }
  st.track_locked(rq.ov, OpInfo{rq.s, rq.call, OpInfo::Fate::real, {}, false});
  return info.skip_on_success;
}

// Plans, carries out and journals one overlapped call; `real(cap)` issues it on the backend.
template <class RealFn>
Issued shim_issue(ShimState& st, const Request& rq, LPDWORD bytes_out, RealFn real) {
  if (!st.any_rules.load(std::memory_order_acquire)) {
    if (const std::optional<bool> skip = note_plain_op(st, rq)) {
      const Issued r = real(~DWORD{0});
      // No packet will come for it: forget it.
      if (r == Issued::failed || (r == Issued::done_now && *skip)) st.untrack(rq.ov);
      if (st.journaling()) journal_op(st, rq, Plan{}, r, bytes_out);
      return r;
    }
  }
  Plan p = make_plan(st, rq);
  const Issued r = carry_out(st, rq, p, bytes_out, real);
  journal_op(st, rq, p, r, bytes_out);
  return r;
}

}  // namespace shim_detail

using shim_detail::Issued;

// ---- WSARecv / WSASend — R1 R4 R5 R5b R5d R6 R7 R8 R9 R9b R10 R15 ----
int FaultInjectingIoApi::WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd,
                                 LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped,
                                 LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  IoApi& in = state_->inner;
  if (lpOverlapped == nullptr) {
    return in.WSARecv(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, lpOverlapped, lpCompletionRoutine);
  }
  const shim_detail::Request rq{Call::WSARecv, s, lpOverlapped, shim_detail::total_bytes(lpBuffers, dwBufferCount)};
  const Issued r = shim_detail::shim_issue(*state_, rq, lpNumberOfBytesRecvd, [&](DWORD cap) {
    if (cap >= rq.requested) {
      return shim_detail::from_int(in, in.WSARecv(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags,
                                                  lpOverlapped, lpCompletionRoutine));
    }
    std::vector<WSABUF> cut = shim_detail::capped(lpBuffers, dwBufferCount, cap);
    return shim_detail::from_int(in, in.WSARecv(s, cut.data(), static_cast<DWORD>(cut.size()), lpNumberOfBytesRecvd,
                                                lpFlags, lpOverlapped, lpCompletionRoutine));
  });
  return r == Issued::done_now ? 0 : SOCKET_ERROR;
}

int FaultInjectingIoApi::WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent,
                                 DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
                                 LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  IoApi& in = state_->inner;
  if (lpOverlapped == nullptr) {
    return in.WSASend(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpOverlapped, lpCompletionRoutine);
  }
  const shim_detail::Request rq{Call::WSASend, s, lpOverlapped, shim_detail::total_bytes(lpBuffers, dwBufferCount)};
  const Issued r = shim_detail::shim_issue(*state_, rq, lpNumberOfBytesSent, [&](DWORD cap) {
    if (cap >= rq.requested) {
      return shim_detail::from_int(
          in, in.WSASend(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpOverlapped, lpCompletionRoutine));
    }
    std::vector<WSABUF> cut = shim_detail::capped(lpBuffers, dwBufferCount, cap);
    return shim_detail::from_int(in, in.WSASend(s, cut.data(), static_cast<DWORD>(cut.size()), lpNumberOfBytesSent,
                                                dwFlags, lpOverlapped, lpCompletionRoutine));
  });
  return r == Issued::done_now ? 0 : SOCKET_ERROR;
}

// ---- ConnectEx — R12 (each code), R7, R10, R15 ----
BOOL FaultInjectingIoApi::ConnectEx(SOCKET s, const sockaddr* name, int namelen, PVOID lpSendBuffer,
                                    DWORD dwSendDataLength, LPDWORD lpdwBytesSent, LPOVERLAPPED lpOverlapped) {
  IoApi& in = state_->inner;
  if (lpOverlapped == nullptr) {
    return in.ConnectEx(s, name, namelen, lpSendBuffer, dwSendDataLength, lpdwBytesSent, lpOverlapped);
  }
  const shim_detail::Request rq{Call::ConnectEx, s, lpOverlapped, dwSendDataLength};
  const Issued r = shim_detail::shim_issue(*state_, rq, lpdwBytesSent, [&](DWORD) {
    return shim_detail::from_bool(
        in, in.ConnectEx(s, name, namelen, lpSendBuffer, dwSendDataLength, lpdwBytesSent, lpOverlapped));
  });
  return r == Issued::done_now ? TRUE : FALSE;
}

// ---- AcceptEx — R6b (cancelled), R10, R15 ----
BOOL FaultInjectingIoApi::AcceptEx(SOCKET sListenSocket, SOCKET sAcceptSocket, PVOID lpOutputBuffer,
                                   DWORD dwReceiveDataLength, DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength,
                                   LPDWORD lpdwBytesReceived, LPOVERLAPPED lpOverlapped) {
  IoApi& in = state_->inner;
  const auto real = [&](DWORD) {
    return shim_detail::from_bool(
        in, in.AcceptEx(sListenSocket, sAcceptSocket, lpOutputBuffer, dwReceiveDataLength, dwLocalAddressLength,
                        dwRemoteAddressLength, lpdwBytesReceived, lpOverlapped));
  };
  if (lpOverlapped == nullptr) return real(0) == Issued::done_now ? TRUE : FALSE;
  const shim_detail::Request rq{Call::AcceptEx, sListenSocket, lpOverlapped, dwReceiveDataLength};
  return shim_detail::shim_issue(*state_, rq, lpdwBytesReceived, real) == Issued::done_now ? TRUE : FALSE;
}

}  // namespace iocpsim::iocp
