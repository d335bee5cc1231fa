// Connection set-up: ConnectEx and AcceptEx, and the reactor's half of each.
#include <cstring>

#include "emulation.hpp"
#include "error_map.hpp"
#include "socket_ops.hpp"

namespace iocpsim::iocp {
namespace detail {
namespace {

// Failures Windows reports through the port after ConnectEx returned pending (R12), even when
// the host stack knows them at once (a refused loopback connect).
bool is_network_outcome(int errno_value) {
  return errno_value == ECONNREFUSED || errno_value == ETIMEDOUT || errno_value == ENETUNREACH ||
         errno_value == EHOSTUNREACH || errno_value == EHOSTDOWN;
}

// The data ConnectEx sends once connected (one non-blocking attempt: it fits in the socket's
// buffer for any sensible size).
void send_initial(const SocketState& sock, PendingOp& op) {
  if (op.total_bytes == 0) return;
  std::size_t sent = 0;
  op.done_bytes = host_send(sock.fd, op.buffers.data(), 1, &sent) == 0 ? sent : 0;
}

void mark_connected(SocketState& sock) {
  sock.connected = true;
  sock.needs_connect_context = true;
}

void write_address(HostSocket fd, bool peer, char* out, DWORD out_bytes) {
  sockaddr_storage addr{};
  int len = sizeof addr;
  const int rc = peer ? host_getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                      : host_getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc == 0 && static_cast<DWORD>(len) <= out_bytes) {
    std::memcpy(out, &addr, static_cast<std::size_t>(len));
  }
}

// Moves an accepted connection into the socket AcceptEx was given. False if that socket was
// closed meanwhile.
bool adopt_accepted(Emulation& emu, const PendingOp& op, HostSocket fd) {
  SocketState& target = *emu.sockets.find(op.accept_slot);
  std::lock_guard lock(target.mutex);
  if (!target.open || target.generation != op.accept_generation) return false;
  emu.reactor->unwatch(target.fd);
  host_close(target.fd);
  target.fd = fd;
  target.connected = true;
  target.armed = 0;
  emu.reactor->watch(fd, target.token);
  write_address(fd, false, op.address_buffer, op.local_address_bytes);
  write_address(fd, true, op.address_buffer + op.local_address_bytes, op.remote_address_bytes);
  return true;
}

Attempt attempt_accept(Emulation& emu, const SocketState& listener, const PendingOp& op) {
  HostSocket fd = kNoHostSocket;
  const int err = host_accept(listener.fd, nullptr, nullptr, &fd);
  if (err == kHostWouldBlock) return {AttemptResult::would_block, 0};
  if (err != 0) return {AttemptResult::failed, err};
  if (!adopt_accepted(emu, op, fd)) {
    host_close(fd);
    return {AttemptResult::failed, ENOTSOCK};
  }
  return {AttemptResult::done, 0};
}

}  // namespace

void service_connect(Emulation& emu, SocketState& sock) {
  if (sock.connects.empty()) return;
  const int err = host_pending_error(sock.fd);
  if (err == 0) {
    sockaddr_storage peer{};
    int peer_len = sizeof peer;
    // An edge from before connect() was called: still connecting.
    if (host_getpeername(sock.fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) return;
  }
  PendingOp op = std::move(sock.connects.front());
  sock.connects.pop_front();
  if (err != 0) {
    complete_parked(emu, sock, op, status_from_errno(err));
    return;
  }
  mark_connected(sock);
  send_initial(sock, op);
  complete_parked(emu, sock, op, STATUS_SUCCESS);
}

void service_accepts(Emulation& emu, SocketState& sock) {
  while (!sock.accepts.empty()) {
    const Attempt r = attempt_accept(emu, sock, sock.accepts.front());
    if (r.what == AttemptResult::would_block) return;
    const PendingOp op = std::move(sock.accepts.front());
    sock.accepts.pop_front();
    complete_parked(emu, sock, op, r.what == AttemptResult::done ? STATUS_SUCCESS : status_from_errno(r.err));
  }
}

}  // namespace detail

// ---- ConnectEx — R12 (refused 1225, timeout 121, unreachable 1231/1232), R9, R9b ----
// The socket must be bound first, as on Windows. After success the socket needs
// SO_UPDATE_CONNECT_CONTEXT before shutdown/getpeername work. Loopback refusals come at once
// here rather than after Windows' ~2 s of SYN retries.
BOOL EmulatedIoApi::ConnectEx(SOCKET s, const sockaddr* name, int namelen, PVOID lpSendBuffer, DWORD dwSendDataLength,
                              LPDWORD lpdwBytesSent, LPOVERLAPPED lpOverlapped) {
  detail::SocketState* sock = detail::find_socket(*emu_, s);
  if (sock == nullptr) return detail::fail_false(WSAENOTSOCK);
  std::lock_guard lock(sock->mutex);
  if (!sock->open) return detail::fail_false(WSAENOTSOCK);
  if (lpOverlapped == nullptr || !sock->bound || sock->listening) {
    return detail::fail_false(WSAEINVAL);
  }
  if (sock->connected) return detail::fail_false(WSAEISCONN);
  if (!sock->connects.empty()) return detail::fail_false(WSAEALREADY);
  detail::PendingOp op;
  op.kind = detail::OpKind::connect;
  op.overlapped = lpOverlapped;
  op.buffers.push_back({dwSendDataLength, static_cast<CHAR*>(lpSendBuffer)});
  op.total_bytes = lpSendBuffer == nullptr ? 0 : dwSendDataLength;
  detail::begin_op(lpOverlapped);
  const int err = detail::host_connect(sock->fd, name, namelen);
  if (err == 0) {
    detail::mark_connected(*sock);
    detail::send_initial(*sock, op);
    detail::finish_now(*emu_, *sock, op, lpdwBytesSent);
    return TRUE;
  }
  if (err == EINPROGRESS) {
    detail::park(*emu_, *sock, sock->connects, std::move(op));
    return FALSE;
  }
  if (!detail::is_network_outcome(err)) return detail::fail_false(detail::wsa_from_errno(err));
  detail::deliver(*emu_, *sock, lpOverlapped, detail::status_from_errno(err), 0);
  detail::set_wsa_error(WSA_IO_PENDING);
  return FALSE;
}

// ---- AcceptEx — R6b, R9, R9b ----
// dwReceiveDataLength must be 0 (accept only, as asio uses it); receiving the first block with
// the accept is not emulated (WSAEOPNOTSUPP). The address areas receive a plain sockaddr each
// (local first), not Windows' private layout for GetAcceptExSockaddrs.
BOOL EmulatedIoApi::AcceptEx(SOCKET sListenSocket, SOCKET sAcceptSocket, PVOID lpOutputBuffer,
                             DWORD dwReceiveDataLength, DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength,
                             LPDWORD lpdwBytesReceived, LPOVERLAPPED lpOverlapped) {
  if (dwReceiveDataLength != 0) return detail::fail_false(WSAEOPNOTSUPP);
  constexpr DWORD kAddressMin = sizeof(sockaddr_in) + 16;
  if (lpOverlapped == nullptr || lpOutputBuffer == nullptr || dwLocalAddressLength < kAddressMin ||
      dwRemoteAddressLength < kAddressMin) {
    return detail::fail_false(WSAEINVAL);
  }
  detail::SocketState* listener = detail::find_socket(*emu_, sListenSocket);
  detail::SocketState* target = detail::find_socket(*emu_, sAcceptSocket);
  if (listener == nullptr || target == nullptr) return detail::fail_false(WSAENOTSOCK);
  std::lock_guard lock(listener->mutex);
  if (!listener->open) return detail::fail_false(WSAENOTSOCK);
  if (!listener->listening) return detail::fail_false(WSAEINVAL);
  detail::PendingOp op;
  op.kind = detail::OpKind::accept;
  op.overlapped = lpOverlapped;
  op.accept_slot = detail::socket_slot(sAcceptSocket);
  op.address_buffer = static_cast<char*>(lpOutputBuffer);
  op.local_address_bytes = dwLocalAddressLength;
  op.remote_address_bytes = dwRemoteAddressLength;
  {
    std::lock_guard target_lock(target->mutex);  // listener before target, always
    if (!target->open) return detail::fail_false(WSAENOTSOCK);
    if (target->connected || target->listening) return detail::fail_false(WSAEINVAL);
    op.accept_generation = target->generation;
  }
  detail::begin_op(lpOverlapped);
  if (listener->accepts.empty()) {
    const detail::Attempt r = detail::attempt_accept(*emu_, *listener, op);
    if (r.what == detail::AttemptResult::done) {
      detail::finish_now(*emu_, *listener, op, lpdwBytesReceived);
      return TRUE;
    }
    if (r.what == detail::AttemptResult::failed) {
      return detail::fail_false(detail::wsa_from_errno(r.err));
    }
  }
  detail::park(*emu_, *listener, listener->accepts, std::move(op));
  return FALSE;
}

}  // namespace iocpsim::iocp
