// The host's socket calls the emulation makes, in one small interface.
//
// host_socket_posix.cpp implements it over BSD sockets (Linux), host_socket_winsock.cpp over
// Winsock's non-blocking (not overlapped) sockets; CMake compiles one. Every host socket is
// non-blocking. Errors come back as errno values on both hosts — the Winsock file translates
// WSAGetLastError() through error_map.cpp's table — so the mechanism files and the one
// errno → Windows table never see which host they run on.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>

#include "iocpsim/iocp/win32.hpp"

// Winsock hosts have no errno for these two; the numbers are the emulation's own, far from
// any errno value, and only ever reach error_map.cpp.
#ifndef ESHUTDOWN
#define ESHUTDOWN 0x7FF0
#endif
#ifndef EHOSTDOWN
#define EHOSTDOWN 0x7FF1
#endif

namespace iocpsim::iocp::detail {

// A host descriptor (POSIX fd or Winsock SOCKET; both fit).
using HostSocket = std::intptr_t;
inline constexpr HostSocket kNoHostSocket = -1;
// What a non-blocking call reports when it would have to wait.
inline constexpr int kHostWouldBlock = EWOULDBLOCK;

// The host stack for the emulation's lifetime (Winsock: WSAStartup/WSACleanup; POSIX: nothing).
class HostStack {
 public:
  HostStack();
  ~HostStack();
  HostStack(const HostStack&) = delete;
  HostStack& operator=(const HostStack&) = delete;
};

// Each returns 0 or the host error (an errno value).
int host_open(int af, int type, int protocol, HostSocket* out);
// kHostWouldBlock when no connection waits. The new socket is non-blocking too.
int host_accept(HostSocket listener, sockaddr* addr, int* addrlen, HostSocket* out);
int host_bind(HostSocket s, const sockaddr* name, int namelen);
int host_listen(HostSocket s, int backlog);
// EINPROGRESS when the connection is on its way (Winsock's WSAEWOULDBLOCK included).
int host_connect(HostSocket s, const sockaddr* name, int namelen);
int host_shutdown(HostSocket s, int how);
int host_setsockopt(HostSocket s, int level, int optname, const char* optval, int optlen);
// SO_ERROR's value comes back as an errno value, as every other error does.
int host_getsockopt(HostSocket s, int level, int optname, char* optval, int* optlen);
int host_getsockname(HostSocket s, sockaddr* name, int* namelen);
int host_getpeername(HostSocket s, sockaddr* name, int* namelen);
// The error a non-blocking connect ended with (SO_ERROR), 0 if none.
int host_pending_error(HostSocket s);

// Scatter/gather transfers into the caller's buffers; *bytes is what moved. A receive of 0
// bytes into non-empty buffers is end of stream. Never raises SIGPIPE.
int host_receive(HostSocket s, const WSABUF* buffers, std::size_t count, std::size_t* bytes);
int host_send(HostSocket s, const WSABUF* buffers, std::size_t count, std::size_t* bytes);
// 0 when a receive would not block (data or end of stream is there); consumes nothing.
int host_peek(HostSocket s);

// Blocks until s is readable (or writable), or has an error.
void host_wait(HostSocket s, bool writable);
void host_close(HostSocket s);
// Closes with SO_LINGER 0: the peer sees RST, not FIN (R6c).
void host_close_with_reset(HostSocket s);

}  // namespace iocpsim::iocp::detail
