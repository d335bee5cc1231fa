// The host socket calls over Winsock (Windows), on non-blocking sockets made without
// WSA_FLAG_OVERLAPPED: the emulation builds its completion port over readiness, as on Linux,
// so it can be checked against the native backend on the same machine.
//
// Winsock reports WSAE* codes; each is translated to the errno value the rest of the
// emulation speaks, through error_map.cpp's table (errno_from_wsa).
#include <stdexcept>

#include "error_map.hpp"
#include "host_socket.hpp"

namespace iocpsim::iocp::detail {
namespace {

int last_host_error() { return errno_from_wsa(::WSAGetLastError()); }

int result(int rc) { return rc == 0 ? 0 : last_host_error(); }

SOCKET sock_of(HostSocket s) { return static_cast<SOCKET>(s); }

int make_non_blocking(SOCKET s) {
  u_long on = 1;
  return result(::ioctlsocket(s, FIONBIO, &on));
}

// Keeps a new socket only if it could be made non-blocking.
int adopt(SOCKET s, HostSocket* out) {
  if (const int err = make_non_blocking(s); err != 0) {
    ::closesocket(s);
    return err;
  }
  *out = static_cast<HostSocket>(s);
  return 0;
}

}  // namespace

HostStack::HostStack() {
  WSADATA data{};
  if (::WSAStartup(MAKEWORD(2, 2), &data) != 0) throw std::runtime_error("WSAStartup failed");
}

HostStack::~HostStack() { ::WSACleanup(); }

int host_open(int af, int type, int protocol, HostSocket* out) {
  const SOCKET s = ::WSASocketW(af, type, protocol, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) return last_host_error();
  return adopt(s, out);
}

int host_accept(HostSocket listener, sockaddr* addr, int* addrlen, HostSocket* out) {
  const SOCKET s = ::accept(sock_of(listener), addr, addrlen);
  if (s == INVALID_SOCKET) return last_host_error();
  return adopt(s, out);
}

int host_bind(HostSocket s, const sockaddr* name, int namelen) { return result(::bind(sock_of(s), name, namelen)); }

int host_listen(HostSocket s, int backlog) { return result(::listen(sock_of(s), backlog)); }

int host_connect(HostSocket s, const sockaddr* name, int namelen) {
  const int err = result(::connect(sock_of(s), name, namelen));
  // A non-blocking Winsock connect on its way reports WSAEWOULDBLOCK, not WSAEINPROGRESS.
  return err == kHostWouldBlock ? EINPROGRESS : err;
}

int host_shutdown(HostSocket s, int how) { return result(::shutdown(sock_of(s), how)); }

int host_setsockopt(HostSocket s, int level, int optname, const char* optval, int optlen) {
  return result(::setsockopt(sock_of(s), level, optname, optval, optlen));
}

int host_getsockopt(HostSocket s, int level, int optname, char* optval, int* optlen) {
  if (::getsockopt(sock_of(s), level, optname, optval, optlen) != 0) return last_host_error();
  if (level == SOL_SOCKET && optname == SO_ERROR && *optlen == sizeof(int)) {
    auto* value = reinterpret_cast<int*>(optval);
    if (*value != 0) *value = errno_from_wsa(*value);
  }
  return 0;
}

int host_getsockname(HostSocket s, sockaddr* name, int* namelen) {
  return result(::getsockname(sock_of(s), name, namelen));
}

int host_getpeername(HostSocket s, sockaddr* name, int* namelen) {
  return result(::getpeername(sock_of(s), name, namelen));
}

int host_pending_error(HostSocket s) {
  int err = 0;
  int len = sizeof err;
  ::getsockopt(sock_of(s), SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&err), &len);
  return err == 0 ? 0 : errno_from_wsa(err);
}

int host_receive(HostSocket s, const WSABUF* buffers, std::size_t count, std::size_t* bytes) {
  DWORD got = 0;
  DWORD flags = 0;
  // Winsock takes a non-const array but does not write to it.
  auto* bufs = const_cast<WSABUF*>(buffers);
  if (::WSARecv(sock_of(s), bufs, static_cast<DWORD>(count), &got, &flags, nullptr, nullptr) != 0) {
    return last_host_error();
  }
  *bytes = got;
  return 0;
}

int host_send(HostSocket s, const WSABUF* buffers, std::size_t count, std::size_t* bytes) {
  DWORD sent = 0;
  auto* bufs = const_cast<WSABUF*>(buffers);
  if (::WSASend(sock_of(s), bufs, static_cast<DWORD>(count), &sent, 0, nullptr, nullptr) != 0) {
    return last_host_error();
  }
  *bytes = sent;
  return 0;
}

int host_peek(HostSocket s) {
  char probe = 0;
  return ::recv(sock_of(s), &probe, 1, MSG_PEEK) >= 0 ? 0 : last_host_error();
}

void host_wait(HostSocket s, bool writable) {
  WSAPOLLFD p{sock_of(s), static_cast<SHORT>(writable ? POLLOUT : POLLIN), 0};
  ::WSAPoll(&p, 1, -1);
}

void host_close(HostSocket s) { ::closesocket(sock_of(s)); }

void host_close_with_reset(HostSocket s) {
  const linger abort_on_close{1, 0};
  ::setsockopt(sock_of(s), SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&abort_on_close),
               sizeof abort_on_close);
  ::closesocket(sock_of(s));
}

}  // namespace iocpsim::iocp::detail
