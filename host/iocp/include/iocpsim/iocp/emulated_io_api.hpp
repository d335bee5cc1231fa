// EmulatedIoApi: the completion-port API reproduced over the host's non-blocking sockets
// (Linux: epoll; Windows: WSAPoll over Winsock).
//
// Reproduces the rows of IOCP-SEMANTICS.md that TCP over readiness can produce;
// host/iocp/README.md lists them and the ones followed by inference. Each instance owns its
// handle tables and one reactor thread; handles are only meaningful to the instance that made
// them.
#pragma once

#include <cstddef>
#include <memory>

#include "iocpsim/iocp/io_api.hpp"

namespace iocpsim::iocp {

namespace detail {
struct Emulation;
}

// What an emulation still holds. All zero once every handle has been closed and every
// completion dequeued (or dropped with its port): the leak check every conformance test ends with.
struct Outstanding {
  std::size_t open_ports = 0;
  std::size_t open_sockets = 0;
  std::size_t pending_ops = 0;     // issued, not yet completed (no packet queued yet)
  std::size_t queued_packets = 0;  // in open ports, not yet dequeued
  bool operator==(const Outstanding&) const = default;
};

class EmulatedIoApi final : public IoApi, public EndsPendingOps {
 public:
  EmulatedIoApi();
  ~EmulatedIoApi() override;

  Outstanding outstanding() const;

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

  // Ends a parked op with the given result (EndsPendingOps): its packet, as for any completion.
  BOOL EndPendingOp(HANDLE hFile, LPOVERLAPPED lpOverlapped, NTSTATUS status, DWORD bytes) override;

 private:
  std::unique_ptr<detail::Emulation> emu_;
};

}  // namespace iocpsim::iocp
