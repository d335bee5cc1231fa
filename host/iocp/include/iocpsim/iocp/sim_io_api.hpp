// SimIoApi: the completion-port API over an in-memory TCP network, in a simulated world's virtual
// time (iocpsim/world/scheduler.hpp).
//
// Every call must come from a thread of that world; the world runs one thread at a time, so the
// network needs no locks, and every outcome — which worker a packet wakes, when bytes arrive,
// when a connect is refused — follows from the run's seed. Each call is a scheduling point, and
// so is the moment after an overlapped call queued its packet, before it returns: another worker
// may dequeue and handle the completion first (R15).
//
// The network is TCP as Windows shows it, with the rows of IOCP-SEMANTICS.md TCP can produce:
// FIFO packets and LIFO waiters per port, one packet per operation (R9, R9b for skip mode), FIN
// after the send buffer drains (R4), RST from SO_LINGER 0 or a close with data unread or ops
// outstanding (R5, R5b, R5c, R5d, R6, R6c), cancel (R7), immediate failures without a packet
// (R10), posted packets (R11), refused connects after Windows' ~2 s of SYN retries and
// unanswered ones after ~21 s (R12), zero-byte receives (R13), batches (R14). Segments take
// `latency` each way; a socket's receive buffer (SO_RCVBUF) and send buffer (SO_SNDBUF) are
// finite, so a peer that does not read fills the sender's buffers and its sends then pend.
// host/iocp/README.md lists where it differs from Windows.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "iocpsim/iocp/emulated_io_api.hpp"  // Outstanding
#include "iocpsim/iocp/io_api.hpp"

namespace iocpsim::world {
class Scheduler;
}

namespace iocpsim::iocp {

namespace sim {
struct State;
}

struct SimNetworkOptions {
  std::chrono::microseconds latency{50};                   // one way, per segment
  int buffer_bytes = 64 * 1024;                            // SO_RCVBUF and SO_SNDBUF unless set
  std::chrono::microseconds refused_after{2'000'000};      // loopback: SYN retries answered by RST
  std::chrono::microseconds unanswered_after{21'000'000};  // SYNs nobody answers: 121 (R12)
};

// How a listener treats a connection attempt (what a device that stops accepting does).
enum class SimListenMode : std::uint8_t {
  accepting,    // the handshake completes into the backlog; accept()/AcceptEx take it
  withholding,  // SYNs go unanswered: the connect stays in progress (then 121)
  refusing,     // as if nothing listened: RST after the SYN retries (1225)
};

class SimIoApi final : public IoApi, public EndsPendingOps {
 public:
  // Lives in `world`, which must outlive it.
  explicit SimIoApi(world::Scheduler& world, SimNetworkOptions options = {});
  ~SimIoApi() override;

  Outstanding outstanding() const;
  // How the listener `s` (a socket in listen state) answers connection attempts from now on.
  // False if `s` is not a listener.
  bool set_listen_mode(SOCKET s, SimListenMode mode);
  // Refuses the next `count` connection attempts to the listener `s`, then accepts again.
  bool refuse_next(SOCKET s, std::uint32_t count);
  // Each connection attempt the listener `s` refuses from now on (in `refusing` mode or by
  // refuse_next) posts a packet to `port`: `key`, 1 byte, no OVERLAPPED, when its SYN arrives.
  // A null port stops it. What a device counting refused attempts watches (the real world needs a
  // raw socket for that).
  bool notify_refusals(SOCKET s, HANDLE port, ULONG_PTR key);

  HANDLE CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort, ULONG_PTR CompletionKey,
                                DWORD NumberOfConcurrentThreads) override;
  BOOL GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred, PULONG_PTR lpCompletionKey,
                                 LPOVERLAPPED* lpOverlapped, DWORD dwMilliseconds) override;
  BOOL GetQueuedCompletionStatusEx(HANDLE CompletionPort, LPOVERLAPPED_ENTRY lpCompletionPortEntries, ULONG ulCount,
                                   PULONG ulNumEntriesRemoved, DWORD dwMilliseconds, BOOL fAlertable) override;
  BOOL PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred, ULONG_PTR dwCompletionKey,
                                  LPOVERLAPPED lpOverlapped) override;
  BOOL CloseHandle(HANDLE hObject) override;
  BOOL SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags) override;
  BOOL CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped) override;

  DWORD GetLastError() override;
  void SetLastError(DWORD dwErrCode) override;
  int WSAGetLastError() override;
  void WSASetLastError(int iError) override;

  SOCKET socket(int af, int type, int protocol) override;
  int bind(SOCKET s, const sockaddr* name, int namelen) override;
  int listen(SOCKET s, int backlog) override;
  int closesocket(SOCKET s) override;
  int shutdown(SOCKET s, int how) override;
  int setsockopt(SOCKET s, int level, int optname, const char* optval, int optlen) override;
  int getsockopt(SOCKET s, int level, int optname, char* optval, int* optlen) override;
  int getsockname(SOCKET s, sockaddr* name, int* namelen) override;
  int getpeername(SOCKET s, sockaddr* name, int* namelen) override;

  SOCKET accept(SOCKET s, sockaddr* addr, int* addrlen) override;
  int connect(SOCKET s, const sockaddr* name, int namelen) override;
  int send(SOCKET s, const char* buf, int len, int flags) override;
  int recv(SOCKET s, char* buf, int len, int flags) override;

  BOOL AcceptEx(SOCKET sListenSocket, SOCKET sAcceptSocket, PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
                DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength, LPDWORD lpdwBytesReceived,
                LPOVERLAPPED lpOverlapped) override;
  BOOL ConnectEx(SOCKET s, const sockaddr* name, int namelen, PVOID lpSendBuffer, DWORD dwSendDataLength,
                 LPDWORD lpdwBytesSent, LPOVERLAPPED lpOverlapped) override;
  int WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
              LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) override;
  int WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
              LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) override;
  BOOL WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer, BOOL fWait,
                              LPDWORD lpdwFlags) override;

  BOOL EndPendingOp(HANDLE hFile, LPOVERLAPPED lpOverlapped, NTSTATUS status, DWORD bytes) override;

 private:
  std::unique_ptr<sim::State> state_;
};

}  // namespace iocpsim::iocp
