// The state of one emulated socket and of the operations parked on it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "host_socket.hpp"
#include "iocpsim/iocp/win32.hpp"

namespace iocpsim::iocp::detail {

enum class OpKind : std::uint8_t { receive, send, connect, accept };

// A WSABUF array: the usual one or few buffers inline, so that an operation allocates nothing;
// longer arrays on the heap.
class BufferList {
 public:
  static constexpr std::size_t kInline = 4;

  void assign(const WSABUF* buffers, std::size_t count) {
    heap_.clear();
    count_ = 0;
    for (std::size_t i = 0; i < count; ++i) push_back(buffers[i]);
  }
  void push_back(const WSABUF& b) {
    if (count_ < kInline) {
      inline_[count_] = b;
    } else {
      if (count_ == kInline) heap_.assign(inline_.begin(), inline_.end());
      heap_.push_back(b);
    }
    ++count_;
  }
  const WSABUF* data() const { return count_ > kInline ? heap_.data() : inline_.data(); }
  std::size_t size() const { return count_; }
  const WSABUF* begin() const { return data(); }
  const WSABUF* end() const { return data() + count_; }

 private:
  std::array<WSABUF, kInline> inline_{};
  std::vector<WSABUF> heap_;
  std::size_t count_ = 0;
};

// An operation that returned WSA_IO_PENDING and waits for the reactor. The caller's WSABUF
// array is copied (Windows lets it go out of scope once the call returns); the buffers it
// points to must stay valid until the packet is dequeued, as on Windows.
struct PendingOp {
  OpKind kind = OpKind::receive;
  OVERLAPPED* overlapped = nullptr;
  BufferList buffers;
  std::size_t total_bytes = 0;
  std::size_t done_bytes = 0;
  // accept only: the socket that takes the connection, and where the addresses go.
  std::uint32_t accept_slot = 0;
  std::uint32_t accept_generation = 0;
  char* address_buffer = nullptr;
  DWORD local_address_bytes = 0;
  DWORD remote_address_bytes = 0;
};

struct SocketState {
  std::mutex mutex;
  bool open = false;
  std::uint32_t generation = 0;  // new on every open; reactor tokens carry it
  std::uint64_t token = 0;       // what the reactor reports this socket as
  std::uint32_t armed = 0;       // ReadyBits the reactor is armed for (one report)
  HostSocket fd = kNoHostSocket;

  bool bound = false;
  bool listening = false;
  bool connected = false;
  // ConnectEx succeeded but SO_UPDATE_CONNECT_CONTEXT was not set yet: shutdown and
  // getpeername fail with WSAENOTCONN until it is, as Windows documents.
  bool needs_connect_context = false;
  // The connection was reset (seen once from the host stack, which reports it only once):
  // every later recv/send fails at once with WSAECONNRESET (R5b).
  bool reset = false;
  bool shut_receive = false;
  bool shut_send = false;
  bool skip_port_on_success = false;  // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (R9b)

  bool has_port = false;
  std::uint32_t port_slot = 0;
  std::uint32_t port_generation = 0;
  ULONG_PTR key = 0;

  std::deque<PendingOp> receives;
  std::deque<PendingOp> sends;
  std::deque<PendingOp> connects;
  std::deque<PendingOp> accepts;

  // Back to a fresh socket for a reused slot; the mutex (held by the caller) and the
  // generation stay.
  void clear() {
    open = false;
    fd = kNoHostSocket;
    armed = 0;
    bound = listening = connected = needs_connect_context = false;
    reset = shut_receive = shut_send = skip_port_on_success = false;
    has_port = false;
    port_slot = port_generation = 0;
    key = 0;
    receives.clear();
    sends.clear();
    connects.clear();
    accepts.clear();
  }

  std::size_t pending_count() const { return receives.size() + sends.size() + connects.size() + accepts.size(); }
};

}  // namespace iocpsim::iocp::detail
