// FaultInjectingIoApi: a decorator over any IoApi backend that changes chosen calls into the
// outcomes of IOCP-SEMANTICS.md, by rule, and journals every call.
//
// With no rule armed every call passes straight through. A forced outcome leaves a world Windows
// could be in: one packet per operation, no real operation leaked or released twice, and the
// socket behaving afterwards as it would after that event (after a forced reset later transfers
// fail at once with WSAECONNRESET; after a forced FIN receives return 0). FAULTS.md describes
// how each outcome is produced.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "iocpsim/iocp/clock.hpp"
#include "iocpsim/iocp/fault_rules.hpp"
#include "iocpsim/iocp/io_api.hpp"
#include "iocpsim/iocp/journal.hpp"

namespace iocpsim::iocp {

namespace shim_detail {
struct ShimState;
}

struct FaultOptions {
  std::uint64_t seed = 1;
  const Clock* clock = nullptr;  // nullptr: the shim's own SteadyClock
  bool journal = true;
  std::size_t journal_capacity = 1u << 16;
};

// What the shim itself still holds: zero at the end of every test.
struct ShimOutstanding {
  std::size_t tracked_ops = 0;   // issued through the shim, packet not yet dequeued
  std::size_t held_packets = 0;  // held back by reorder / mixed_batch
  bool operator==(const ShimOutstanding&) const = default;
};

// What the shim has seen, added up from the journal's records as they are appended (so only
// while the journal is on). Unlike the ring, it may be read while calls run.
struct CallCounts {
  std::array<std::uint64_t, static_cast<std::size_t>(Call::kCount)> calls{};
  std::uint64_t timed_out_waits = 0;  // GQCS/GQCSEx that ended FALSE with WAIT_TIMEOUT (R2)

  std::uint64_t operator[](Call c) const { return calls[static_cast<std::size_t>(c)]; }
  // What was added between `earlier` (an older snapshot) and this one.
  CallCounts since(const CallCounts& earlier) const;
};

class FaultInjectingIoApi final : public IoApi {
 public:
  explicit FaultInjectingIoApi(IoApi& inner, FaultOptions options = {});
  ~FaultInjectingIoApi() override;

  // Replaces the armed rules (their counters start again; "after" counts from now).
  void arm(std::vector<FaultRule> rules);
  void disarm() { arm({}); }
  // Names a socket's connection (e.g. the device id); rules match on it.
  void tag_socket(SOCKET s, std::string tag);
  // Makes an event happen now to a connection, whatever is pending on it: peer_fin (pending
  // receives complete with 0 bytes), peer_reset or local_abort (every pending op fails as in
  // R5/R6), cancelled (every pending op is cancelled, R7). Later calls answer as after the
  // event. Throws FaultRuleError for any other outcome.
  void force_now(SOCKET s, Outcome outcome);
  std::uint64_t seed() const;
  // Firings of rule i of the armed set.
  std::uint64_t fired(std::size_t rule_index) const;
  Journal& journal();
  void set_journaling(bool on);
  ShimOutstanding outstanding() const;

  // ---- observation, for tests: what has happened, and waits for what is about to ----
  // Each wait returns false only if `ceiling` passed first: a bound on a wait that ends as soon
  // as its condition holds, never a measure of time. The counts need the journal on.
  static constexpr std::chrono::milliseconds kObserveCeiling{20'000};
  CallCounts counts() const;
  std::uint64_t count(Call c) const;
  // Until `c` has been made `n` times in all (journaled once the call returned).
  bool wait_calls(Call c, std::uint64_t n, std::chrono::milliseconds ceiling = kObserveCeiling);
  // Until `n` threads are inside GetQueuedCompletionStatusEx at once.
  bool wait_batch_waiters(std::size_t n, std::chrono::milliseconds ceiling = kObserveCeiling);
  // Until every packet posted without an OVERLAPPED so far has been dequeued.
  bool wait_posted_dequeued(std::chrono::milliseconds ceiling = kObserveCeiling);
  // Until the packet of every op of call `c` issued so far has been dequeued (an op done at once
  // on a socket that skips the port has none). Works with the journal off too.
  bool wait_dequeued(Call c, std::chrono::milliseconds ceiling = kObserveCeiling);

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

 private:
  // What a pass-through call reads, in the object itself rather than behind state_: the backend
  // and the shim's one word (described at ShimState::busy).
  IoApi& inner_;
  std::atomic<std::uint64_t> busy_{0};
  std::unique_ptr<shim_detail::ShimState> state_;
};

}  // namespace iocpsim::iocp
