// Helpers shared by the files that issue overlapped operations.
#pragma once

#include "emulation.hpp"

namespace iocpsim::iocp::detail {

enum class AttemptResult { done, would_block, failed };
struct Attempt {
  AttemptResult what;
  int err;  // errno when failed
};

// Sets the Winsock error and returns SOCKET_ERROR (R10: no packet).
int fail_now(int wsa_error);
// The same for calls that return BOOL.
inline BOOL fail_false(int wsa_error) {
  fail_now(wsa_error);
  return FALSE;
}

// The socket a call names, locked; empty (and the Winsock error set to WSAENOTSOCK) if the
// value names no open socket.
class LockedSocket {
 public:
  LockedSocket(Emulation& emu, SOCKET s);
  explicit operator bool() const { return sock_ != nullptr; }
  SocketState* operator->() const { return sock_; }
  SocketState& operator*() const { return *sock_; }
  void unlock() { lock_.unlock(); }
  void relock() { lock_.lock(); }

 private:
  SocketState* sock_ = nullptr;
  std::unique_lock<std::mutex> lock_;
};

// Marks the OVERLAPPED as in progress, as the I/O manager does before anything can complete.
void begin_op(OVERLAPPED* ov);
// An op that finished inside the issuing call (R9: packet; R9b: none). Returns 0.
int finish_now(Emulation& emu, SocketState& sock, const PendingOp& op, LPDWORD bytes_out);
// The Winsock error for a transfer that failed at once; remembers a reset (R5b).
int transfer_error(SocketState& sock, int errno_value);

Attempt attempt_receive(const SocketState& sock, PendingOp& op);
Attempt attempt_send(const SocketState& sock, PendingOp& op);

}  // namespace iocpsim::iocp::detail
