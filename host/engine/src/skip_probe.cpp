// The R9b probe: does this IoApi's socket provider honour FILE_SKIP_COMPLETION_PORT_ON_SUCCESS?
//
// Windows honours it unless a non-IFS layered provider sits on the socket, which may accept the
// mode and queue a packet anyway. Where a packet comes, treating an at-once success as the whole
// completion would handle that packet a second time, so the engine tries the mode on a loopback
// pair of its own before it uses it: a receive with a byte already waiting and a send into an
// empty buffer both complete at once; then a marker is posted to the probe's port. The port is
// FIFO, so if the provider queued packets for those successes they come out before the marker.
#include <memory>

#include "engine_impl.hpp"

namespace iocpsim::engine::detail {
namespace {

constexpr ULONG_PTR kProbeKey = 1;
constexpr ULONG_PTR kMarkerKey = 2;
constexpr DWORD kWaitMs = 5'000;  // a packet already queued comes at once; this is a safety bound

// The probe's two operations. On the heap: if an op's packet never came (the wait bound
// passed), the provider may still write into it, so it is then left allocated on purpose.
struct Ops {
  OVERLAPPED recv{};
  OVERLAPPED send{};
};

class Handles {
 public:
  explicit Handles(iocp::IoApi& io) : io_(io), ops_(std::make_unique<Ops>()) {}
  ~Handles() {
    for (SOCKET s : {client, server, listener}) {
      if (s != INVALID_SOCKET) io_.closesocket(s);
    }
    if (port != nullptr) io_.CloseHandle(port);
    if (ops_outstanding) static_cast<void>(ops_.release());
  }
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;

  Ops& ops() { return *ops_; }

  HANDLE port = nullptr;
  SOCKET listener = INVALID_SOCKET;
  SOCKET client = INVALID_SOCKET;
  SOCKET server = INVALID_SOCKET;
  bool ops_outstanding = false;

 private:
  iocp::IoApi& io_;
  std::unique_ptr<Ops> ops_;
};

// Dequeues one packet; nullptr overlapped and key 0 if none came within the bound.
struct Dequeued {
  OVERLAPPED* overlapped = nullptr;
  ULONG_PTR key = 0;
};
Dequeued dequeue(iocp::IoApi& io, HANDLE port) {
  Dequeued d;
  DWORD bytes = 0;
  io.GetQueuedCompletionStatus(port, &bytes, &d.key, &d.overlapped, kWaitMs);
  return d;
}

bool connect_pair(iocp::IoApi& io, Handles& h) {
  h.listener = io.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (h.listener == INVALID_SOCKET) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int len = sizeof a;
  if (io.bind(h.listener, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || io.listen(h.listener, 1) != 0 ||
      io.getsockname(h.listener, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    return false;
  }
  h.client = io.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (h.client == INVALID_SOCKET || io.connect(h.client, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    return false;
  }
  h.server = io.accept(h.listener, nullptr, nullptr);
  return h.server != INVALID_SOCKET;
}

}  // namespace

SkipProbe probe_skip_on_success(iocp::IoApi& io) {
  SkipProbe r;
  Handles h(io);
  const auto failed = [&](const char* reason) {
    r.reason = reason;
    r.error = static_cast<DWORD>(io.WSAGetLastError());
    return r;
  };
  h.port = io.CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  if (h.port == nullptr || !connect_pair(io, h) ||
      io.CreateIoCompletionPort(reinterpret_cast<HANDLE>(h.client), h.port, kProbeKey, 0) == nullptr) {
    return failed("setup");
  }
  if (!io.SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(h.client),
                                             FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)) {
    return failed("notification_modes");
  }
  Ops& ops = h.ops();
  // A receive with a byte already waiting. On loopback the byte is there when send returns on
  // every stack seen; should it not be, the receive pends: take its packet and try again.
  bool received_at_once = false;
  for (int attempt = 0; attempt < 3 && !received_at_once; ++attempt) {
    char byte = 'p';
    if (io.send(h.server, &byte, 1, 0) != 1) return failed("setup");
    WSABUF buf{1, &byte};
    DWORD got = 0;
    DWORD flags = 0;
    ops.recv = OVERLAPPED{};
    if (io.WSARecv(h.client, &buf, 1, &got, &flags, &ops.recv, nullptr) == 0) {
      received_at_once = true;
    } else if (io.WSAGetLastError() != WSA_IO_PENDING) {
      return failed("setup");
    } else if (dequeue(io, h.port).overlapped != &ops.recv) {
      h.ops_outstanding = true;
      return failed("setup");
    }
  }
  if (!received_at_once) {
    r.reason = "no_inline_success";
    return r;
  }
  // A send into an empty send buffer.
  char byte = 'q';
  WSABUF buf{1, &byte};
  DWORD sent = 0;
  const bool sent_at_once = io.WSASend(h.client, &buf, 1, &sent, 0, &ops.send, nullptr) == 0;
  if (!sent_at_once && io.WSAGetLastError() != WSA_IO_PENDING) return failed("setup");
  // Whatever is queued before the marker is a packet for those operations.
  if (!io.PostQueuedCompletionStatus(h.port, 0, kMarkerKey, nullptr)) return failed("setup");
  unsigned extra_packets = 0;
  bool send_packet_seen = sent_at_once;  // a pending send owes its packet in any case
  for (;;) {
    const Dequeued d = dequeue(io, h.port);
    if (d.overlapped == nullptr && d.key == kMarkerKey) break;
    if (d.overlapped == nullptr) {  // the bound passed: the marker, or a packet, never came
      h.ops_outstanding = true;
      return failed("setup");
    }
    if (d.overlapped == &ops.send && !send_packet_seen) {
      send_packet_seen = true;
      continue;
    }
    ++extra_packets;
  }
  if (!send_packet_seen) {  // a pending send's packet after the marker
    if (dequeue(io, h.port).overlapped != &ops.send) {
      h.ops_outstanding = true;
      return failed("setup");
    }
  }
  r.honoured = extra_packets == 0;
  r.reason = r.honoured ? "honoured" : "packet_queued";
  return r;
}

}  // namespace iocpsim::engine::detail
