// Overlapped transfers: WSARecv, WSASend, WSAGetOverlappedResult,
// SetFileCompletionNotificationModes, and the reactor's half of receives and sends.
//
// An issuing call first tries the host syscall itself. Done at once: success now, and a packet
// too unless the socket skips the port on success (R9, R9b). Would block: the op is parked and
// the call reports WSA_IO_PENDING; the reactor finishes it and posts the packet. Failed at
// once: the error now and no packet (R5b, R10).
#include "emulation.hpp"
#include "error_map.hpp"
#include "socket_ops.hpp"

namespace iocpsim::iocp {
namespace detail {

int fail_now(int wsa_error) {
  set_wsa_error(wsa_error);
  return SOCKET_ERROR;
}

LockedSocket::LockedSocket(Emulation& emu, SOCKET s) {
  SocketState* sock = find_socket(emu, s);
  if (sock != nullptr) {
    lock_ = std::unique_lock(sock->mutex);
    if (sock->open) {
      sock_ = sock;
      return;
    }
    lock_.unlock();
  }
  set_wsa_error(WSAENOTSOCK);
}

void begin_op(OVERLAPPED* ov) {
  ov->Internal = static_cast<DWORD>(STATUS_PENDING);
  ov->InternalHigh = 0;
}

int finish_now(Emulation& emu, SocketState& sock, const PendingOp& op, LPDWORD bytes_out) {
  const auto bytes = static_cast<DWORD>(op.done_bytes);
  if (bytes_out != nullptr) *bytes_out = bytes;  // before the packet: the OVERLAPPED is then off-limits
  if (sock.skip_port_on_success) {
    op.overlapped->Internal = STATUS_SUCCESS;
    op.overlapped->InternalHigh = bytes;
  } else {
    deliver(emu, sock, op.overlapped, STATUS_SUCCESS, bytes);
  }
  return 0;
}

Attempt attempt_receive(const SocketState& sock, PendingOp& op) {
  int err = 0;
  if (op.total_bytes == 0) {
    // R13: a zero-byte receive completes when data (or EOF) is there, and consumes nothing.
    err = host_peek(sock.fd);
  } else {
    err = host_receive(sock.fd, op.buffers.data(), op.buffers.size(), &op.done_bytes);
  }
  if (err == 0) return {AttemptResult::done, 0};
  if (err == kHostWouldBlock) return {AttemptResult::would_block, 0};
  return {AttemptResult::failed, err};
}

Attempt attempt_send(const SocketState& sock, PendingOp& op) {
  while (op.done_bytes < op.total_bytes) {
    // Skip what earlier attempts already sent.
    BufferList rest;
    std::size_t skip = op.done_bytes;
    for (const WSABUF& b : op.buffers) {
      if (skip >= b.len) {
        skip -= b.len;
        continue;
      }
      rest.push_back({static_cast<ULONG>(b.len - skip), b.buf + skip});
      skip = 0;
    }
    std::size_t sent = 0;
    const int err = host_send(sock.fd, rest.data(), rest.size(), &sent);
    if (err == kHostWouldBlock) return {AttemptResult::would_block, 0};
    if (err != 0) return {AttemptResult::failed, err};
    op.done_bytes += sent;
  }
  return {AttemptResult::done, 0};
}

int transfer_error(SocketState& sock, int errno_value) {
  if ((errno_value == EPIPE || errno_value == ESHUTDOWN) && sock.shut_send) return WSAESHUTDOWN;
  if (errno_value == ECONNRESET || errno_value == EPIPE) sock.reset = true;
  return wsa_from_errno(errno_value);
}

namespace {

// Why a transfer cannot even start; 0 if it can.
int receive_precondition(const SocketState& sock) {
  if (sock.reset) return WSAECONNRESET;  // R5b
  if (sock.shut_receive) return WSAESHUTDOWN;
  if (!sock.connected || sock.listening) return WSAENOTCONN;
  return 0;
}

int send_precondition(const SocketState& sock) {
  if (sock.reset) return WSAECONNRESET;  // R5b
  if (sock.shut_send) return WSAESHUTDOWN;
  if (!sock.connected || sock.listening) return WSAENOTCONN;
  return 0;
}

// A parked transfer failed on the reactor thread. A reset ends every op on the socket (R5,
// R5d: a send reports what it had sent); anything else ends only the op that met it.
void transfer_failed(Emulation& emu, SocketState& sock, std::deque<PendingOp>& queue, int err) {
  if (err == ECONNRESET || (err == EPIPE && !sock.shut_send)) {
    sock.reset = true;
    fail_all_parked(emu, sock, STATUS_CONNECTION_RESET, STATUS_CONNECTION_RESET);
    return;
  }
  const PendingOp op = std::move(queue.front());
  queue.pop_front();
  complete_parked(emu, sock, op, status_from_errno(err));
}

template <class AttemptFn>
void service_queue(Emulation& emu, SocketState& sock, std::deque<PendingOp>& queue, AttemptFn attempt) {
  while (!queue.empty()) {
    const Attempt r = attempt(sock, queue.front());
    if (r.what == AttemptResult::would_block) return;
    if (r.what == AttemptResult::failed) {
      transfer_failed(emu, sock, queue, r.err);
      continue;
    }
    const PendingOp op = std::move(queue.front());
    queue.pop_front();
    complete_parked(emu, sock, op, STATUS_SUCCESS);
  }
}

// The shared shape of WSARecv and WSASend once the socket is locked and usable.
template <class AttemptFn>
int issue_transfer(Emulation& emu, SocketState& sock, std::deque<PendingOp>& queue, PendingOp&& op, LPDWORD bytes_out,
                   AttemptFn attempt) {
  begin_op(op.overlapped);
  // Ops queue behind earlier ones; an earlier parked op means the last attempt would block.
  if (queue.empty()) {
    const Attempt r = attempt(sock, op);
    if (r.what == AttemptResult::done) return finish_now(emu, sock, op, bytes_out);
    if (r.what == AttemptResult::failed) return fail_now(transfer_error(sock, r.err));
  }
  park(emu, sock, queue, std::move(op));
  return SOCKET_ERROR;
}

}  // namespace

void service_receives(Emulation& emu, SocketState& sock) { service_queue(emu, sock, sock.receives, attempt_receive); }

void service_sends(Emulation& emu, SocketState& sock) { service_queue(emu, sock, sock.sends, attempt_send); }

}  // namespace detail

// ---- WSARecv — R1 R4 R5 R5b R9 R9b R10 R13 ----
// Completion routines and calls without an OVERLAPPED are not emulated (WSAEOPNOTSUPP): the
// engine always uses the port.
int EmulatedIoApi::WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd,
                           LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped,
                           LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  if (lpOverlapped == nullptr || lpCompletionRoutine != nullptr) {
    return detail::fail_now(WSAEOPNOTSUPP);
  }
  if (lpFlags == nullptr) return detail::fail_now(WSAEFAULT);
  if (*lpFlags != 0) return detail::fail_now(WSAEOPNOTSUPP);  // MSG_PEEK/MSG_OOB not emulated
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  // No buffer at all (not one empty buffer, which is a zero-byte receive, R13): Winsock refuses it.
  if (lpBuffers == nullptr || dwBufferCount == 0) return detail::fail_now(WSAEINVAL);
  if (const int err = detail::receive_precondition(*sock); err != 0) return detail::fail_now(err);
  detail::PendingOp op;
  op.kind = detail::OpKind::receive;
  op.overlapped = lpOverlapped;
  detail::copy_buffers(op, lpBuffers, dwBufferCount);
  return detail::issue_transfer(*emu_, *sock, sock->receives, std::move(op), lpNumberOfBytesRecvd,
                                detail::attempt_receive);
}

// ---- WSASend — R1 R5b R5d R9 R9b R10 ----
// A send completes when every byte is with the host stack, as overlapped sends do on Windows,
// so short completions (R8) come only from a fault-injecting layer above.
int EmulatedIoApi::WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent,
                           DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
                           LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  if (lpOverlapped == nullptr || lpCompletionRoutine != nullptr || dwFlags != 0) {
    return detail::fail_now(WSAEOPNOTSUPP);
  }
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (const int err = detail::send_precondition(*sock); err != 0) return detail::fail_now(err);
  detail::PendingOp op;
  op.kind = detail::OpKind::send;
  op.overlapped = lpOverlapped;
  detail::copy_buffers(op, lpBuffers, dwBufferCount);
  return detail::issue_transfer(*emu_, *sock, sock->sends, std::move(op), lpNumberOfBytesSent, detail::attempt_send);
}

// ---- WSAGetOverlappedResult — R5c ----
// Reads the result the port wrote into the OVERLAPPED when the packet was dequeued (or the
// call wrote when it finished at once) and reports it in Winsock codes: the reset that GQCS
// shows as 64 shows here as 10054. Waiting (fWait) is not emulated: an op still pending
// reports WSA_IO_INCOMPLETE either way.
BOOL EmulatedIoApi::WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer, BOOL fWait,
                                           LPDWORD lpdwFlags) {
  (void)fWait;
  if (!detail::LockedSocket(*emu_, s)) return FALSE;
  const NTSTATUS status = ntstatus_of(lpOverlapped->Internal);
  if (status == STATUS_PENDING) {
    detail::set_wsa_error(WSA_IO_INCOMPLETE);
    return FALSE;
  }
  *lpcbTransfer = static_cast<DWORD>(lpOverlapped->InternalHigh);
  if (lpdwFlags != nullptr) *lpdwFlags = 0;
  if (status < 0) {
    detail::set_wsa_error(detail::wsa_from_status(status));
    return FALSE;
  }
  return TRUE;
}

// ---- SetFileCompletionNotificationModes — R9b ----
BOOL EmulatedIoApi::SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags) {
  detail::LockedSocket sock(*emu_, reinterpret_cast<SOCKET>(FileHandle));
  if (!sock) {
    detail::last_error() = ERROR_INVALID_HANDLE;
    return FALSE;
  }
  // FILE_SKIP_SET_EVENT_ON_HANDLE has nothing to skip: the emulation signals no events.
  sock->skip_port_on_success = (Flags & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) != 0;
  return TRUE;
}

}  // namespace iocpsim::iocp
