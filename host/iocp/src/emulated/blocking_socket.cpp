// Socket creation, naming and options, and the blocking calls test peers use:
// socket, bind, listen, accept, connect, send, recv, shutdown, setsockopt, getsockopt,
// getsockname, getpeername.
//
// Host descriptors are always non-blocking (the reactor may watch them); the blocking calls wait
// with poll() without holding the socket's lock, so the reactor and other threads carry on.
// Closing a socket while another thread blocks in one of these calls is not supported.
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "emulation.hpp"
#include "error_map.hpp"
#include "socket_ops.hpp"

namespace iocpsim::iocp {
namespace detail {
namespace {

void wait_ready(int fd, short events) {
  pollfd p{fd, events, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

int host_result(int rc) {
  if (rc == 0) return 0;
  return fail_now(wsa_from_errno(errno));
}

// Why a blocking transfer cannot start; 0 if it can.
int transfer_precondition(const SocketState& sock, bool sending) {
  if (sock.reset) return WSAECONNRESET;  // R5b
  if (sending ? sock.shut_send : sock.shut_receive) return WSAESHUTDOWN;
  if (!sock.connected || sock.listening) return WSAENOTCONN;
  return 0;
}

// Runs one blocking transfer step until it stops would-blocking; the lock is dropped while
// waiting. Returns the syscall's result with errno preserved.
template <class Step>
ssize_t blocking_step(LockedSocket& sock, short events, Step step) {
  const int fd = sock->fd;
  sock.unlock();
  ssize_t n = 0;
  while ((n = step(fd)) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) wait_ready(fd, events);
  const int saved = errno;
  sock.relock();
  errno = saved;
  return n;
}

}  // namespace
}  // namespace detail

// ---- socket — overlapped-capable, like Winsock's socket() ----
SOCKET EmulatedIoApi::socket(int af, int type, int protocol) {
  const int fd = ::socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    detail::set_wsa_error(detail::wsa_from_errno(errno));
    return INVALID_SOCKET;
  }
  return detail::adopt_fd(*emu_, fd, false);
}

// ---- bind ----
int EmulatedIoApi::bind(SOCKET s, const sockaddr* name, int namelen) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (::bind(sock->fd, name, static_cast<socklen_t>(namelen)) != 0) return detail::host_result(-1);
  sock->bound = true;
  return 0;
}

// ---- listen — the socket must be bound first ----
int EmulatedIoApi::listen(SOCKET s, int backlog) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (!sock->bound) return detail::fail_now(WSAEINVAL);  // Winsock does not bind implicitly
  if (::listen(sock->fd, backlog) != 0) return detail::host_result(-1);
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
  socklen_t len = addrlen != nullptr ? static_cast<socklen_t>(*addrlen) : 0;
  const auto fd = detail::blocking_step(sock, POLLIN, [&](int listen_fd) {
    return static_cast<ssize_t>(
        ::accept4(listen_fd, addr, addrlen != nullptr ? &len : nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  });
  if (fd < 0) {
    detail::set_wsa_error(detail::wsa_from_errno(errno));
    return INVALID_SOCKET;
  }
  sock.unlock();
  if (addrlen != nullptr) *addrlen = static_cast<int>(len);
  return detail::adopt_fd(*emu_, static_cast<int>(fd), true);
}

// ---- connect (blocking) ----
int EmulatedIoApi::connect(SOCKET s, const sockaddr* name, int namelen) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (sock->connected) return detail::fail_now(WSAEISCONN);
  if (::connect(sock->fd, name, static_cast<socklen_t>(namelen)) != 0) {
    if (errno != EINPROGRESS) return detail::host_result(-1);
    const int fd = sock->fd;
    sock.unlock();
    detail::wait_ready(fd, POLLOUT);
    sock.relock();
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return detail::fail_now(detail::wsa_from_errno(err));
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
  int sent = 0;
  while (sent < len) {
    const ssize_t n = detail::blocking_step(sock, POLLOUT, [&](int fd) {
      return ::send(fd, buf + sent, static_cast<std::size_t>(len - sent),
                    flags | MSG_DONTWAIT | MSG_NOSIGNAL);
    });
    if (n < 0) return detail::fail_now(detail::transfer_error(*sock, errno));
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
  const ssize_t n = detail::blocking_step(sock, POLLIN, [&](int fd) {
    return ::recv(fd, buf, static_cast<std::size_t>(len), flags | MSG_DONTWAIT);
  });
  if (n < 0) return detail::fail_now(detail::transfer_error(*sock, errno));
  return static_cast<int>(n);
}

// ---- shutdown ----
// SD_RECEIVE/SD_SEND/SD_BOTH have the host's SHUT_* numbers.
int EmulatedIoApi::shutdown(SOCKET s, int how) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (!sock->connected || sock->needs_connect_context) return detail::fail_now(WSAENOTCONN);
  if (::shutdown(sock->fd, how) != 0) return detail::host_result(-1);
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
  return detail::host_result(
      ::setsockopt(sock->fd, level, optname, optval, static_cast<socklen_t>(optlen)));
}

// ---- getsockopt — SO_ERROR reads as a Winsock code ----
int EmulatedIoApi::getsockopt(SOCKET s, int level, int optname, char* optval, int* optlen) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  auto len = static_cast<socklen_t>(*optlen);
  if (::getsockopt(sock->fd, level, optname, optval, &len) != 0) return detail::host_result(-1);
  *optlen = static_cast<int>(len);
  if (level == SOL_SOCKET && optname == SO_ERROR && len == sizeof(int)) {
    auto* value = reinterpret_cast<int*>(optval);  // Windows reports a Winsock code here
    if (*value != 0) *value = detail::wsa_from_errno(*value);
  }
  return 0;
}

// ---- getsockname ----
int EmulatedIoApi::getsockname(SOCKET s, sockaddr* name, int* namelen) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  auto len = static_cast<socklen_t>(*namelen);
  if (::getsockname(sock->fd, name, &len) != 0) return detail::host_result(-1);
  *namelen = static_cast<int>(len);
  return 0;
}

// ---- getpeername — WSAENOTCONN after ConnectEx until SO_UPDATE_CONNECT_CONTEXT ----
int EmulatedIoApi::getpeername(SOCKET s, sockaddr* name, int* namelen) {
  detail::LockedSocket sock(*emu_, s);
  if (!sock) return SOCKET_ERROR;
  if (sock->needs_connect_context) return detail::fail_now(WSAENOTCONN);
  auto len = static_cast<socklen_t>(*namelen);
  if (::getpeername(sock->fd, name, &len) != 0) return detail::host_result(-1);
  *namelen = static_cast<int>(len);
  return 0;
}

}  // namespace iocpsim::iocp
