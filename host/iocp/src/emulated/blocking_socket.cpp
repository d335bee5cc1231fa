// Socket creation, naming and options, and the blocking calls test peers use:
// socket, bind, listen, accept, connect, send, recv, shutdown, setsockopt, getsockopt,
// getsockname, getpeername.
//
// Host descriptors are always non-blocking (the reactor may watch them); the blocking calls wait
// for readiness (host_wait) without holding the socket's lock, so the reactor and other threads
// carry on.
// Closing a socket while another thread blocks in one of these calls is not supported.
#include "emulation.hpp"
#include "error_map.hpp"
#include "socket_ops.hpp"

namespace iocpsim::iocp {
namespace detail {
namespace {

int host_result(int err) { return err == 0 ? 0 : fail_now(wsa_from_errno(err)); }

// Why a blocking transfer cannot start; 0 if it can.
int transfer_precondition(const SocketState& sock, bool sending) {
  if (sock.reset) return WSAECONNRESET;  // R5b
  if (sending ? sock.shut_send : sock.shut_receive) return WSAESHUTDOWN;
  if (!sock.connected || sock.listening) return WSAENOTCONN;
  return 0;
}

// Runs one blocking step until it stops would-blocking; the lock is dropped while waiting.
// Returns the step's host error (0 on success).
template <class Step>
int blocking_step(LockedSocket& sock, bool writable, Step step) {
  const HostSocket fd = sock->fd;
  sock.unlock();
  int err = 0;
  while ((err = step(fd)) == kHostWouldBlock) host_wait(fd, writable);
  sock.relock();
  return err;
}

}  // namespace
}  // namespace detail

// ---- socket — overlapped-capable, like Winsock's socket() ----
SOCKET EmulatedIoApi::socket(int af, int type, int protocol) {
  detail::HostSocket fd = detail::kNoHostSocket;
  if (const int err = detail::host_open(af, type, protocol, &fd); err != 0) {
    detail::set_wsa_error(detail::wsa_from_errno(err));
    return INVALID_SOCKET;
  }
  return detail::adopt_fd(*emu_, fd, false);
}

// ---- bind ----
int EmulatedIoApi::bind(SOCKET s, const sockaddr* name, int namelen) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (const int err = detail::host_bind(sock->fd, name, namelen); err != 0) {
    return detail::host_result(err);
  }
  sock->bound = true;
  return 0;
}

// ---- listen — the socket must be bound first ----
int EmulatedIoApi::listen(SOCKET s, int backlog) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (!sock->bound) return detail::fail_now(WSAEINVAL);  // Winsock does not bind implicitly
  if (const int err = detail::host_listen(sock->fd, backlog); err != 0) {
    return detail::host_result(err);
  }
  sock->listening = true;
  return 0;
}

// ---- accept (blocking) ----
SOCKET EmulatedIoApi::accept(SOCKET s, sockaddr* addr, int* addrlen) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return INVALID_SOCKET;
  if (!sock->listening) {
    detail::set_wsa_error(WSAEINVAL);
    return INVALID_SOCKET;
  }
  detail::HostSocket fd = detail::kNoHostSocket;
  const int err = detail::blocking_step(
      sock, false, [&](detail::HostSocket listen_fd) { return detail::host_accept(listen_fd, addr, addrlen, &fd); });
  if (err != 0) {
    detail::set_wsa_error(detail::wsa_from_errno(err));
    return INVALID_SOCKET;
  }
  sock.unlock();
  return detail::adopt_fd(*emu_, fd, true);
}

// ---- connect (blocking) ----
int EmulatedIoApi::connect(SOCKET s, const sockaddr* name, int namelen) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (sock->connected) return detail::fail_now(WSAEISCONN);
  if (const int err = detail::host_connect(sock->fd, name, namelen); err != 0) {
    if (err != EINPROGRESS) return detail::host_result(err);
    const detail::HostSocket fd = sock->fd;
    sock.unlock();
    detail::host_wait(fd, true);
    sock.relock();
    if (const int late = detail::host_pending_error(fd); late != 0) {
      return detail::host_result(late);
    }
  }
  sock->connected = true;
  sock->bound = true;
  return 0;
}

// ---- send (blocking): returns once every byte is with the stack ----
int EmulatedIoApi::send(SOCKET s, const char* buf, int len, int flags) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (const int err = detail::transfer_precondition(*sock, true); err != 0) {
    return detail::fail_now(err);
  }
  if (flags != 0) return detail::fail_now(WSAEOPNOTSUPP);  // MSG_OOB/MSG_DONTROUTE not emulated
  int sent = 0;
  while (sent < len) {
    std::size_t n = 0;
    const int err = detail::blocking_step(sock, true, [&](detail::HostSocket fd) {
      const WSABUF rest{static_cast<ULONG>(len - sent), const_cast<char*>(buf) + sent};
      return detail::host_send(fd, &rest, 1, &n);
    });
    if (err != 0) return detail::fail_now(detail::transfer_error(*sock, err));
    sent += static_cast<int>(n);
  }
  return sent;
}

// ---- recv (blocking): 0 is end of stream ----
int EmulatedIoApi::recv(SOCKET s, char* buf, int len, int flags) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (const int err = detail::transfer_precondition(*sock, false); err != 0) {
    return detail::fail_now(err);
  }
  if (flags != 0) return detail::fail_now(WSAEOPNOTSUPP);  // MSG_PEEK/MSG_OOB not emulated
  std::size_t n = 0;
  const int err = detail::blocking_step(sock, false, [&](detail::HostSocket fd) {
    const WSABUF into{static_cast<ULONG>(len), buf};
    return detail::host_receive(fd, &into, 1, &n);
  });
  if (err != 0) return detail::fail_now(detail::transfer_error(*sock, err));
  return static_cast<int>(n);
}

// ---- shutdown ----
// SD_RECEIVE/SD_SEND/SD_BOTH have the host's SHUT_* numbers.
int EmulatedIoApi::shutdown(SOCKET s, int how) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (!sock->connected || sock->needs_connect_context) return detail::fail_now(WSAENOTCONN);
  if (const int err = detail::host_shutdown(sock->fd, how); err != 0) {
    return detail::host_result(err);
  }
  sock->shut_receive = sock->shut_receive || how == SD_RECEIVE || how == SD_BOTH;
  sock->shut_send = sock->shut_send || how == SD_SEND || how == SD_BOTH;
  return 0;
}

// ---- setsockopt — the Win32-only options are handled here, the rest go to the host ----
int EmulatedIoApi::setsockopt(SOCKET s, int level, int optname, const char* optval, int optlen) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (level == SOL_SOCKET && optname == SO_UPDATE_CONNECT_CONTEXT) {
    if (!sock->connected) return detail::fail_now(WSAENOTCONN);
    sock->needs_connect_context = false;
    return 0;
  }
  if (level == SOL_SOCKET && optname == SO_UPDATE_ACCEPT_CONTEXT) return 0;
  return detail::host_result(detail::host_setsockopt(sock->fd, level, optname, optval, optlen));
}

// ---- getsockopt — SO_ERROR reads as a Winsock code ----
int EmulatedIoApi::getsockopt(SOCKET s, int level, int optname, char* optval, int* optlen) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (const int err = detail::host_getsockopt(sock->fd, level, optname, optval, optlen); err != 0) {
    return detail::host_result(err);
  }
  if (level == SOL_SOCKET && optname == SO_ERROR && *optlen == sizeof(int)) {
    auto* value = reinterpret_cast<int*>(optval);  // Windows reports a Winsock code here
    if (*value != 0) *value = detail::wsa_from_errno(*value);
  }
  return 0;
}

// ---- getsockname ----
int EmulatedIoApi::getsockname(SOCKET s, sockaddr* name, int* namelen) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  return detail::host_result(detail::host_getsockname(sock->fd, name, namelen));
}

// ---- getpeername — WSAENOTCONN after ConnectEx until SO_UPDATE_CONNECT_CONTEXT ----
int EmulatedIoApi::getpeername(SOCKET s, sockaddr* name, int* namelen) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (sock->needs_connect_context) return detail::fail_now(WSAENOTCONN);
  return detail::host_result(detail::host_getpeername(sock->fd, name, namelen));
}

}  // namespace iocpsim::iocp
