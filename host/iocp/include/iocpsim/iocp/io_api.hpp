// IoApi: the Win32 calls the engine makes, as one interface.
//
// Every method has the name, parameters and results of the Win32 function it stands for, so that
// the Native backend forwards arguments unchanged and engine code reads like Win32. Methods are
// virtual, never overloaded, and take only plain values and pointers, so a decorator (fault
// injection) or a GoogleMock mock can wrap every one of them with a one-line forwarder.
//
// What each call returns in each situation is tabulated in IOCP-SEMANTICS.md (rows R1..R16b);
// the conformance suite in tests/iocp checks every backend against that table.
//
// Last error: GetLastError/SetLastError and WSAGetLastError/WSASetLastError read and write the
// same per-thread value, as on Windows. Successful calls leave it unchanged unless Win32 says
// otherwise.
#pragma once

#include "iocpsim/iocp/win32.hpp"

namespace iocpsim::iocp {

class IoApi {
 public:
  IoApi() = default;
  IoApi(const IoApi&) = delete;
  IoApi& operator=(const IoApi&) = delete;
  virtual ~IoApi() = default;

  // ---- completion ports (kernel32) ----
  // Creates a port (FileHandle == INVALID_HANDLE_VALUE, ExistingCompletionPort == NULL) or
  // associates a socket (passed as (HANDLE)socket) with an existing port under CompletionKey.
  virtual HANDLE CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort, ULONG_PTR CompletionKey,
                                        DWORD NumberOfConcurrentThreads) = 0;
  virtual BOOL GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred,
                                         PULONG_PTR lpCompletionKey, LPOVERLAPPED* lpOverlapped,
                                         DWORD dwMilliseconds) = 0;
  virtual BOOL GetQueuedCompletionStatusEx(HANDLE CompletionPort, LPOVERLAPPED_ENTRY lpCompletionPortEntries,
                                           ULONG ulCount, PULONG ulNumEntriesRemoved, DWORD dwMilliseconds,
                                           BOOL fAlertable) = 0;
  virtual BOOL PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred,
                                          ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped) = 0;
  // Closes a completion port handle.
  virtual BOOL CloseHandle(HANDLE hObject) = 0;
  virtual BOOL SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags) = 0;
  // Cancels the pending operation lpOverlapped on hFile (a socket), or all of them if NULL.
  virtual BOOL CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped) = 0;

  // ---- last error (one per-thread value behind both pairs) ----
  virtual DWORD GetLastError() = 0;
  virtual void SetLastError(DWORD dwErrCode) = 0;
  virtual int WSAGetLastError() = 0;
  virtual void WSASetLastError(int iError) = 0;

  // ---- sockets: creation, naming, options (ws2_32) ----
  // Sockets are created overlapped-capable, as Winsock's socket() does.
  virtual SOCKET socket(int af, int type, int protocol) = 0;
  virtual int bind(SOCKET s, const sockaddr* name, int namelen) = 0;
  virtual int listen(SOCKET s, int backlog) = 0;
  virtual int closesocket(SOCKET s) = 0;
  virtual int shutdown(SOCKET s, int how) = 0;
  virtual int setsockopt(SOCKET s, int level, int optname, const char* optval, int optlen) = 0;
  virtual int getsockopt(SOCKET s, int level, int optname, char* optval, int* optlen) = 0;
  virtual int getsockname(SOCKET s, sockaddr* name, int* namelen) = 0;
  virtual int getpeername(SOCKET s, sockaddr* name, int* namelen) = 0;

  // ---- blocking calls (test peers and tools; the engine uses the overlapped ones) ----
  virtual SOCKET accept(SOCKET s, sockaddr* addr, int* addrlen) = 0;
  virtual int connect(SOCKET s, const sockaddr* name, int namelen) = 0;
  virtual int send(SOCKET s, const char* buf, int len, int flags) = 0;
  virtual int recv(SOCKET s, char* buf, int len, int flags) = 0;

  // ---- overlapped calls (ws2_32 / mswsock) ----
  virtual BOOL AcceptEx(SOCKET sListenSocket, SOCKET sAcceptSocket, PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
                        DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength, LPDWORD lpdwBytesReceived,
                        LPOVERLAPPED lpOverlapped) = 0;
  // s must be bound (bind to port 0 first), as Windows requires.
  virtual BOOL ConnectEx(SOCKET s, const sockaddr* name, int namelen, PVOID lpSendBuffer, DWORD dwSendDataLength,
                         LPDWORD lpdwBytesSent, LPOVERLAPPED lpOverlapped) = 0;
  virtual int WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
                      LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) = 0;
  virtual int WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
                      LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) = 0;
  virtual BOOL WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer, BOOL fWait,
                                      LPDWORD lpdwFlags) = 0;
};

// Keeps the calling thread's last error across a decorator's own calls into the layer below
// (reading it, bookkeeping under a lock): what the caller reads is what the call it made left.
class LastErrorKeeper {
 public:
  explicit LastErrorKeeper(IoApi& io) : io_(io), saved_(io.GetLastError()) {}
  ~LastErrorKeeper() { io_.SetLastError(saved_); }
  LastErrorKeeper(const LastErrorKeeper&) = delete;
  LastErrorKeeper& operator=(const LastErrorKeeper&) = delete;

 private:
  IoApi& io_;
  DWORD saved_;
};

// An optional capability of a backend, found by dynamic_cast, never called on a hot path:
// ending an operation still pending in the backend with a result chosen by the caller, as if
// the I/O had finished that way (its one packet carries `status` and `bytes`, or, with no port,
// the OVERLAPPED does). The fault shim uses it to end ops for a forced event; over a backend
// without it (the native calls) the shim cancels the op and rewrites its 995 when dequeued.
class EndsPendingOps {
 public:
  // FALSE (and the last error unchanged) if `lpOverlapped` is not pending on `hFile`: it
  // already completed, and its own packet is on its way. The last error is never changed.
  virtual BOOL EndPendingOp(HANDLE hFile, LPOVERLAPPED lpOverlapped, NTSTATUS status, DWORD bytes) = 0;

 protected:
  EndsPendingOps() = default;
  EndsPendingOps(const EndsPendingOps&) = default;
  EndsPendingOps& operator=(const EndsPendingOps&) = default;
  ~EndsPendingOps() = default;
};

}  // namespace iocpsim::iocp
