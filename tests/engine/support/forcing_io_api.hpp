// A forwarding IoApi that can force chosen rows of IOCP-SEMANTICS.md onto otherwise real calls,
// and journals every call by name. Forced outcomes keep the world one Windows could be in: a
// forced short send really sends only the prefix; a held connect completes only when cancelled
// or closed, with the status Windows gives then.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "iocpsim/iocp/io_api.hpp"

namespace iocpsim::engine::testing {

class ForcingIoApi final : public iocp::IoApi {
 public:
  explicit ForcingIoApi(iocp::IoApi& inner) : inner_(inner) {}

  // ---- what to force (each applies once, to the next matching call) ----
  void short_next_send(DWORD bytes);                // R8
  void fail_next(const std::string& call, int wsa_error);  // R5b, R10 (WSASend/WSARecv/ConnectEx)
  void rewrite_next_completion(const std::string& call, NTSTATUS status, DWORD bytes);  // R5d ...
  void hold_connects(bool on);                      // ConnectEx pends until cancel (R7) / close (R6b)
  // WSASend pends and moves nothing until cancelled (R7) or closed (R6): a peer that does not read.
  void hold_sends(bool on);
  void fail_next_dequeue(DWORD error);              // R3, R14b
  // R3 for real: closes the port the workers wait on (as someone else's CloseHandle would), so
  // its waiters get 735, later calls 6, and packets of operations still pending go nowhere.
  bool close_workers_port();
  // How SetFileCompletionNotificationModes answers from now on (R9b): passed on (the default);
  // TRUE without setting anything, so at-once successes still queue packets (Wine 8, non-IFS
  // layered providers); or FALSE with ERROR_INVALID_PARAMETER.
  enum class SkipMode { pass, pretend, refuse };
  void skip_mode(SkipMode m);

  std::vector<std::string> journal() const;
  std::size_t count(const std::string& call) const;
  std::size_t count_since(std::size_t mark, const std::string& call) const;
  std::size_t mark() const;
  // Waits (generous ceiling) until `call` has been made `n` times in all.
  bool wait_calls(const std::string& call, std::size_t n);
  // Waits until every packet posted so far has been dequeued: no wake-up is in flight.
  bool wait_posted_dequeued();
  // Waits until the packet of every send issued so far has been dequeued (R1/R9; none for R9b).
  bool wait_sends_dequeued();
  // Waits until `n` threads are blocked inside GetQueuedCompletionStatusEx at once.
  bool wait_waiting(std::size_t n);

  HANDLE CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort,
                                ULONG_PTR CompletionKey, DWORD NumberOfConcurrentThreads) override;
  BOOL GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred,
                                 PULONG_PTR lpCompletionKey, LPOVERLAPPED* lpOverlapped,
                                 DWORD dwMilliseconds) override;
  BOOL GetQueuedCompletionStatusEx(HANDLE CompletionPort, LPOVERLAPPED_ENTRY lpCompletionPortEntries,
                                   ULONG ulCount, PULONG ulNumEntriesRemoved, DWORD dwMilliseconds,
                                   BOOL fAlertable) override;
  BOOL PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred,
                                  ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped) override;
  BOOL CloseHandle(HANDLE hObject) override;
  BOOL SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags) override;
  BOOL CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped) override;
  DWORD GetLastError() override { return inner_.GetLastError(); }
  void SetLastError(DWORD e) override { inner_.SetLastError(e); }
  int WSAGetLastError() override { return inner_.WSAGetLastError(); }
  void WSASetLastError(int e) override { inner_.WSASetLastError(e); }
  SOCKET socket(int af, int type, int protocol) override;
  int bind(SOCKET s, const sockaddr* name, int namelen) override;
  int listen(SOCKET s, int backlog) override { return inner_.listen(s, backlog); }
  int closesocket(SOCKET s) override;
  int shutdown(SOCKET s, int how) override;
  int setsockopt(SOCKET s, int level, int optname, const char* optval, int optlen) override;
  int getsockopt(SOCKET s, int level, int optname, char* optval, int* optlen) override {
    return inner_.getsockopt(s, level, optname, optval, optlen);
  }
  int getsockname(SOCKET s, sockaddr* name, int* namelen) override {
    return inner_.getsockname(s, name, namelen);
  }
  int getpeername(SOCKET s, sockaddr* name, int* namelen) override {
    return inner_.getpeername(s, name, namelen);
  }
  SOCKET accept(SOCKET s, sockaddr* addr, int* addrlen) override { return inner_.accept(s, addr, addrlen); }
  int connect(SOCKET s, const sockaddr* name, int namelen) override { return inner_.connect(s, name, namelen); }
  int send(SOCKET s, const char* buf, int len, int flags) override { return inner_.send(s, buf, len, flags); }
  int recv(SOCKET s, char* buf, int len, int flags) override { return inner_.recv(s, buf, len, flags); }
  BOOL AcceptEx(SOCKET l, SOCKET a, PVOID out, DWORD rl, DWORD ll, DWORD rml, LPDWORD br,
                LPOVERLAPPED ov) override {
    return inner_.AcceptEx(l, a, out, rl, ll, rml, br, ov);
  }
  BOOL ConnectEx(SOCKET s, const sockaddr* name, int namelen, PVOID lpSendBuffer,
                 DWORD dwSendDataLength, LPDWORD lpdwBytesSent, LPOVERLAPPED lpOverlapped) override;
  int WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd,
              LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped,
              LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) override;
  int WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent,
              DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
              LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) override;
  BOOL WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED ov, LPDWORD n, BOOL w, LPDWORD f) override {
    return inner_.WSAGetOverlappedResult(s, ov, n, w, f);
  }

  int track_send(SOCKET s, LPWSAOVERLAPPED ov, int rc);
 private:
  struct Rewrite {
    NTSTATUS status;
    DWORD bytes;
  };
  struct Binding {
    HANDLE port;
    ULONG_PTR key;
  };
  void note(const char* call);
  std::optional<int> take_failure(const std::string& call);
  void arm_rewrite(const std::string& call, OVERLAPPED* ov);
  bool complete_held(std::map<SOCKET, OVERLAPPED*>& held, SOCKET s, NTSTATUS status);
  void count_dequeued(LPOVERLAPPED ov);  // mutex_ held: a packet left the port

  iocp::IoApi& inner_;
  mutable std::mutex mutex_;
  std::vector<std::string> journal_;
  std::set<LPOVERLAPPED> sends_in_flight_;
  std::set<SOCKET> skip_on_success_;
  std::optional<DWORD> short_send_;
  std::map<std::string, int> failures_;
  std::map<std::string, Rewrite> pending_rewrites_;
  std::map<OVERLAPPED*, Rewrite> rewrites_;
  bool hold_connects_ = false;
  SkipMode skip_mode_ = SkipMode::pass;
  std::map<SOCKET, OVERLAPPED*> held_;
  bool hold_sends_ = false;
  std::map<SOCKET, OVERLAPPED*> held_sends_;
  std::map<SOCKET, Binding> bindings_;
  std::optional<DWORD> dequeue_failure_;
  HANDLE workers_port_ = nullptr;  // the port GetQueuedCompletionStatusEx last waited on
  std::condition_variable changed_;
  std::size_t posted_ = 0;
  std::size_t posted_dequeued_ = 0;
  std::size_t waiting_ = 0;
};

}  // namespace iocpsim::engine::testing
