// The host socket calls over BSD sockets (Linux): errno is already the emulation's language.
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <vector>

#include "host_socket.hpp"

namespace iocpsim::iocp::detail {
namespace {

int result(int rc) { return rc == 0 ? 0 : (errno == EAGAIN ? kHostWouldBlock : errno); }

int fd_of(HostSocket s) { return static_cast<int>(s); }

// WSABUF and iovec differ in layout; transfers copy the array, on the stack when it is small.
constexpr std::size_t kStackBuffers = 8;

template <class Fn>
ssize_t with_iovecs(const WSABUF* buffers, std::size_t count, Fn fn) {
  std::array<iovec, kStackBuffers> small{};
  std::vector<iovec> large;
  iovec* iov = small.data();
  if (count > kStackBuffers) {
    large.resize(count);
    iov = large.data();
  }
  for (std::size_t i = 0; i < count; ++i) iov[i] = {buffers[i].buf, buffers[i].len};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  return fn(&msg);
}

int transfer_result(ssize_t n, std::size_t* bytes) {
  if (n < 0) return result(-1);
  *bytes = static_cast<std::size_t>(n);
  return 0;
}

}  // namespace

HostStack::HostStack() = default;
HostStack::~HostStack() = default;

int host_open(int af, int type, int protocol, HostSocket* out) {
  const int fd = ::socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return result(-1);
  *out = fd;
  return 0;
}

int host_accept(HostSocket listener, sockaddr* addr, int* addrlen, HostSocket* out) {
  socklen_t len = addrlen != nullptr ? static_cast<socklen_t>(*addrlen) : 0;
  const int fd = ::accept4(fd_of(listener), addr, addrlen != nullptr ? &len : nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return result(-1);
  if (addrlen != nullptr) *addrlen = static_cast<int>(len);
  *out = fd;
  return 0;
}

int host_bind(HostSocket s, const sockaddr* name, int namelen) {
  return result(::bind(fd_of(s), name, static_cast<socklen_t>(namelen)));
}

int host_listen(HostSocket s, int backlog) { return result(::listen(fd_of(s), backlog)); }

int host_connect(HostSocket s, const sockaddr* name, int namelen) {
  return result(::connect(fd_of(s), name, static_cast<socklen_t>(namelen)));
}

int host_shutdown(HostSocket s, int how) { return result(::shutdown(fd_of(s), how)); }

int host_setsockopt(HostSocket s, int level, int optname, const char* optval, int optlen) {
  return result(::setsockopt(fd_of(s), level, optname, optval, static_cast<socklen_t>(optlen)));
}

int host_getsockopt(HostSocket s, int level, int optname, char* optval, int* optlen) {
  auto len = static_cast<socklen_t>(*optlen);
  if (::getsockopt(fd_of(s), level, optname, optval, &len) != 0) return result(-1);
  *optlen = static_cast<int>(len);
  return 0;
}

int host_getsockname(HostSocket s, sockaddr* name, int* namelen) {
  auto len = static_cast<socklen_t>(*namelen);
  if (::getsockname(fd_of(s), name, &len) != 0) return result(-1);
  *namelen = static_cast<int>(len);
  return 0;
}

int host_getpeername(HostSocket s, sockaddr* name, int* namelen) {
  auto len = static_cast<socklen_t>(*namelen);
  if (::getpeername(fd_of(s), name, &len) != 0) return result(-1);
  *namelen = static_cast<int>(len);
  return 0;
}

int host_pending_error(HostSocket s) {
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd_of(s), SOL_SOCKET, SO_ERROR, &err, &len);
  return err;
}

int host_receive(HostSocket s, const WSABUF* buffers, std::size_t count, std::size_t* bytes) {
  const ssize_t n = with_iovecs(buffers, count, [&](msghdr* msg) { return ::recvmsg(fd_of(s), msg, MSG_DONTWAIT); });
  return transfer_result(n, bytes);
}

int host_send(HostSocket s, const WSABUF* buffers, std::size_t count, std::size_t* bytes) {
  const ssize_t n =
      with_iovecs(buffers, count, [&](msghdr* msg) { return ::sendmsg(fd_of(s), msg, MSG_DONTWAIT | MSG_NOSIGNAL); });
  return transfer_result(n, bytes);
}

int host_peek(HostSocket s) {
  char probe = 0;
  return ::recv(fd_of(s), &probe, 1, MSG_PEEK | MSG_DONTWAIT) >= 0 ? 0 : result(-1);
}

void host_wait(HostSocket s, bool writable) {
  pollfd p{fd_of(s), static_cast<short>(writable ? POLLOUT : POLLIN), 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

void host_close(HostSocket s) { ::close(fd_of(s)); }

void host_close_with_reset(HostSocket s) {
  const linger abort_on_close{1, 0};
  ::setsockopt(fd_of(s), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  ::close(fd_of(s));
}

}  // namespace iocpsim::iocp::detail
