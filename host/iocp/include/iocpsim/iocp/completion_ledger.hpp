// CompletionLedger: an IoApi decorator that keeps, for every OVERLAPPED, how many completion
// packets its caller is owed and how many it dequeued — the rule of IOCP-SEMANTICS.md that an
// operation that pended, or succeeded at once on a socket not in skip mode, queues exactly one
// packet (R1, R3-R8, R9, R11, R12, R16), that one that failed at once queues none (R10), and that
// an at-once success on a socket in FILE_SKIP_COMPLETION_PORT_ON_SUCCESS mode queues none (R9b).
//
// It sits between the engine and whatever serves it (the fault shim in a scenario run), so it sees
// exactly what the engine sees. At the end of a run every balance must be zero: a positive one is a
// packet never dequeued (an op leaked at shutdown), a negative one a packet the engine got twice or
// for an operation that owed none. A packet may be dequeued on another thread before its issuing
// call has returned (R15): the balance is -1 until the call returns, which is not a problem. A
// port that is closed (CloseHandle, or a wait that reports it gone: R3's 735 or 6) takes what it
// still owed with it: those packets can never be dequeued, and are written off.
//
// Its lock is a plain std::mutex held for a few instructions and never across a call to the
// layer below, so it adds no scheduling point in a simulated world, and it leaves the caller's
// last error as the call below left it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "iocpsim/iocp/forwarding_io_api.hpp"

namespace iocpsim::iocp {

class CompletionLedger final : public ForwardingIoApi {
 public:
  using ForwardingIoApi::ForwardingIoApi;

  // Packets owed and not yet dequeued, by OVERLAPPED (what a shutdown must leave at zero).
  std::size_t unsettled() const;
  // Every breach of the rule so far, plus each unsettled balance: "" parts none. Readable alone:
  // which call, which OVERLAPPED, owed and dequeued.
  std::vector<std::string> problems() const;
  std::uint64_t packets_owed() const;      // credited by the issuing calls and posts
  std::uint64_t packets_dequeued() const;  // debited by GQCS / GQCSEx

  HANDLE CreateIoCompletionPort(HANDLE f, HANDLE p, ULONG_PTR k, DWORD n) override;
  BOOL GetQueuedCompletionStatus(HANDLE p, LPDWORD b, PULONG_PTR k, LPOVERLAPPED* o, DWORD ms) override;
  BOOL GetQueuedCompletionStatusEx(HANDLE p, LPOVERLAPPED_ENTRY e, ULONG n, PULONG r, DWORD ms, BOOL a) override;
  BOOL PostQueuedCompletionStatus(HANDLE p, DWORD b, ULONG_PTR k, LPOVERLAPPED o) override;
  BOOL CloseHandle(HANDLE h) override;
  BOOL SetFileCompletionNotificationModes(HANDLE h, UCHAR f) override;
  int closesocket(SOCKET s) override;
  BOOL AcceptEx(SOCKET l, SOCKET a, PVOID b, DWORD n, DWORD la, DWORD ra, LPDWORD r, LPOVERLAPPED o) override;
  BOOL ConnectEx(SOCKET s, const sockaddr* a, int n, PVOID b, DWORD len, LPDWORD sent, LPOVERLAPPED o) override;
  int WSARecv(SOCKET s, LPWSABUF b, DWORD n, LPDWORD got, LPDWORD f, LPWSAOVERLAPPED o,
              LPWSAOVERLAPPED_COMPLETION_ROUTINE r) override;
  int WSASend(SOCKET s, LPWSABUF b, DWORD n, LPDWORD sent, DWORD f, LPWSAOVERLAPPED o,
              LPWSAOVERLAPPED_COMPLETION_ROUTINE r) override;

 private:
  enum class Issued : std::uint8_t { pending, at_once, failed };
  struct Balance {
    std::int64_t owed_minus_dequeued = 0;
    // The last op on it succeeded at once in skip mode: a packet is not owed, but one is tolerated
    // (a backend that does not honour the mode; the engine probes for it). Cleared by the next op.
    bool may_get = false;
    bool in_flight = false;  // its issuing call has not returned: a packet now is that op's (R15)
    const char* last_call = "";
    HANDLE port = nullptr;  // where its packets go
  };
  Issued how_issued(bool at_once);  // right after the call: its last error is still there
  void issuing(const char* call, const OVERLAPPED* o);
  void issued(SOCKET port_socket, SOCKET s, const OVERLAPPED* o, Issued how);
  void dequeued(const OVERLAPPED* o);
  void port_gone(HANDLE port);           // mutex_ held
  bool settled(const Balance& b) const;  // mutex_ held

  mutable std::mutex mutex_;
  std::unordered_map<const OVERLAPPED*, Balance> balances_;
  struct Association {
    HANDLE port = nullptr;
    std::uint64_t number = 0;  // which association: a closed socket's handle is reused
  };
  std::unordered_map<SOCKET, Association> on_a_port_;
  std::uint64_t associations_ = 0;
  std::unordered_set<HANDLE> closed_ports_;
  std::unordered_set<SOCKET> skip_mode_;
  std::vector<std::string> breaches_;
  std::uint64_t owed_ = 0;
  std::uint64_t dequeued_ = 0;
};

}  // namespace iocpsim::iocp
