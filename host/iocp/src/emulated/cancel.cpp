// Ending operations early: CancelIoEx, and closesocket with operations outstanding.
#include "emulation.hpp"
#include "socket_ops.hpp"

namespace iocpsim::iocp {
namespace detail {
namespace {

std::size_t cancel_matching(Emulation& emu, SocketState& sock, std::deque<PendingOp>& queue, const OVERLAPPED* ov) {
  std::size_t cancelled = 0;
  for (auto it = queue.begin(); it != queue.end();) {
    if (ov != nullptr && it->overlapped != ov) {
      ++it;
      continue;
    }
    const PendingOp op = std::move(*it);
    it = queue.erase(it);
    complete_parked(emu, sock, op, STATUS_CANCELLED);
    ++cancelled;
  }
  return cancelled;
}

}  // namespace
}  // namespace detail

// ---- CancelIoEx — R7 ----
// Each cancelled op still completes through the port: FALSE, the op, 995 (a send reports the
// bytes it had already handed over). Nothing pending that matches: FALSE + 1168 and no packet.
// An op that already completed cannot be cancelled: its packet is on its way.
BOOL EmulatedIoApi::CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped) {
  detail::LockedSocket sock(*emu_, reinterpret_cast<SOCKET>(hFile));
  if (!sock) {
    detail::last_error() = ERROR_INVALID_HANDLE;
    return FALSE;
  }
  std::size_t cancelled = 0;
  for (auto* queue : {&sock->connects, &sock->accepts, &sock->receives, &sock->sends}) {
    cancelled += detail::cancel_matching(*emu_, *sock, *queue, lpOverlapped);
  }
  if (cancelled == 0) {
    detail::last_error() = ERROR_NOT_FOUND;
    return FALSE;
  }
  return TRUE;
}

// ---- EndPendingOp (EndsPendingOps) ----
// As CancelIoEx on one op, with the result the caller chose instead of 995. A success is for
// transfers only (an accept or connect that succeeds has more to it than a status). The last
// error stays as it was, whatever happens.
BOOL EmulatedIoApi::EndPendingOp(HANDLE hFile, LPOVERLAPPED lpOverlapped, NTSTATUS status, DWORD bytes) {
  const DWORD kept = detail::last_error();
  detail::LockedSocket sock(*emu_, reinterpret_cast<SOCKET>(hFile));
  detail::last_error() = kept;
  if (!sock || lpOverlapped == nullptr) return FALSE;
  const bool transfers_only = status >= 0;
  for (auto* queue : {&sock->receives, &sock->sends, &sock->connects, &sock->accepts}) {
    if (transfers_only && queue != &sock->receives && queue != &sock->sends) break;
    for (auto it = queue->begin(); it != queue->end(); ++it) {
      if (it->overlapped != lpOverlapped) continue;
      detail::PendingOp op = std::move(*it);
      queue->erase(it);
      op.done_bytes = bytes;
      detail::complete_parked(*emu_, *sock, op, status);
      return TRUE;
    }
  }
  return FALSE;
}

// ---- closesocket — R6, R6b, R6c ----
// With nothing outstanding: an ordinary close (FIN, or whatever SO_LINGER says). With ops
// outstanding: the connection is reset (R6c: SO_LINGER 0 puts RST on the wire), every transfer
// completes with 1236 on a connected socket (R6), and accepts and connects with 995 (R6b).
int EmulatedIoApi::closesocket(SOCKET s) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  emu_->reactor->unwatch(sock->fd);
  if (sock->pending_count() > 0 && sock->connected) {
    detail::host_close_with_reset(sock->fd);
  } else {
    detail::host_close(sock->fd);
  }
  detail::fail_all_parked(*emu_, *sock, sock->connected ? STATUS_CONNECTION_ABORTED : STATUS_CANCELLED,
                          STATUS_CANCELLED);
  sock->open = false;
  sock->fd = detail::kNoHostSocket;
  sock.unlock();
  emu_->sockets.release(detail::socket_slot(s));
  return 0;
}

}  // namespace iocpsim::iocp
