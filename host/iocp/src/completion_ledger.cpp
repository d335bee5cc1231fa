#include "iocpsim/iocp/completion_ledger.hpp"

#include <cstdio>

namespace iocpsim::iocp {
namespace {

std::string describe(const OVERLAPPED* o, std::int64_t balance, const char* call) {
  char text[200];
  std::snprintf(text, sizeof text, "OVERLAPPED %p (last %s): %lld packet(s) %s", static_cast<const void*>(o),
                *call != '\0' ? call : "posted", static_cast<long long>(balance < 0 ? -balance : balance),
                balance > 0 ? "owed and never dequeued" : "dequeued more than were owed");
  return text;
}

}  // namespace

std::size_t CompletionLedger::unsettled() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [o, b] : balances_) n += settled(b) ? 0 : 1;
  return n;
}

std::vector<std::string> CompletionLedger::problems() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out = breaches_;
  for (const auto& [o, b] : balances_) {
    if (!settled(b)) out.push_back(describe(o, b.owed_minus_dequeued, b.last_call));
  }
  return out;
}

std::uint64_t CompletionLedger::packets_owed() const {
  std::lock_guard lock(mutex_);
  return owed_;
}

std::uint64_t CompletionLedger::packets_dequeued() const {
  std::lock_guard lock(mutex_);
  return dequeued_;
}

CompletionLedger::Issued CompletionLedger::how_issued(bool at_once) {
  if (at_once) return Issued::at_once;
  return inner().WSAGetLastError() == WSA_IO_PENDING ? Issued::pending : Issued::failed;
}

void CompletionLedger::issuing(const char* call, const OVERLAPPED* o) {
  if (o == nullptr) return;
  std::lock_guard lock(mutex_);
  Balance& b = balances_[o];
  b.in_flight = true;
  b.may_get = false;
  b.last_call = call;
}

void CompletionLedger::issued(SOCKET port_socket, SOCKET s, const OVERLAPPED* o, Issued how) {
  if (o == nullptr) return;
  const LastErrorKeeper keep(inner());
  std::lock_guard lock(mutex_);
  Balance& b = balances_[o];
  b.in_flight = false;
  const auto port = on_a_port_.find(port_socket);
  if (port == on_a_port_.end()) return;  // nowhere to queue a packet
  if (how == Issued::failed) return;     // R10: no packet
  b.port = port->second.port;
  if (how == Issued::at_once && skip_mode_.count(s) != 0) {
    b.may_get = true;  // R9b
    return;
  }
  ++b.owed_minus_dequeued;
  ++owed_;
}

void CompletionLedger::dequeued(const OVERLAPPED* o) {
  if (o == nullptr) return;  // a posted packet without one: nobody's op
  std::lock_guard lock(mutex_);
  ++dequeued_;
  Balance& b = balances_[o];
  if (!b.in_flight && b.may_get && b.owed_minus_dequeued <= 0) {
    b.may_get = false;
    return;
  }
  --b.owed_minus_dequeued;
  // -1 is an op's packet dequeued before its issuing call returned (R15) only while it is in
  // flight; otherwise, and at -2 always, it is a packet too many.
  if (b.owed_minus_dequeued < -1 || (b.owed_minus_dequeued < 0 && !b.in_flight)) {
    breaches_.push_back("a packet dequeued that no call owed: " + describe(o, b.owed_minus_dequeued, b.last_call));
    b.owed_minus_dequeued = 0;  // reported once
  }
}

// What the port still owed is written off when the balances are read, not now: a waiter may have
// taken a packet off the port just before it closed and not yet returned with it.
void CompletionLedger::port_gone(HANDLE port) { closed_ports_.insert(port); }

bool CompletionLedger::settled(const Balance& b) const {
  return b.owed_minus_dequeued == 0 || (b.owed_minus_dequeued > 0 && closed_ports_.count(b.port) != 0);
}

HANDLE CompletionLedger::CreateIoCompletionPort(HANDLE f, HANDLE p, ULONG_PTR k, DWORD n) {
  const HANDLE port = inner().CreateIoCompletionPort(f, p, k, n);
  if (port != nullptr) {
    const LastErrorKeeper keep(inner());
    std::lock_guard lock(mutex_);
    if (f != INVALID_HANDLE_VALUE && p != nullptr) {
      on_a_port_[reinterpret_cast<SOCKET>(f)] = Association{port, ++associations_};
      skip_mode_.erase(reinterpret_cast<SOCKET>(f));  // a new socket: its mode is set after this
    } else {
      closed_ports_.erase(port);  // a new port may get the handle of a closed one
    }
  }
  return port;
}

BOOL CompletionLedger::CloseHandle(HANDLE h) {
  const BOOL ok = inner().CloseHandle(h);
  if (ok) {
    const LastErrorKeeper keep(inner());
    std::lock_guard lock(mutex_);
    port_gone(h);
  }
  return ok;
}

BOOL CompletionLedger::GetQueuedCompletionStatus(HANDLE p, LPDWORD b, PULONG_PTR k, LPOVERLAPPED* o, DWORD ms) {
  const BOOL ok = inner().GetQueuedCompletionStatus(p, b, k, o, ms);
  if (o != nullptr && *o != nullptr) {  // R1/R4-R8: a packet, whatever ok says
    const LastErrorKeeper keep(inner());
    dequeued(*o);
  } else if (!ok) {
    const DWORD e = inner().GetLastError();
    if (e == ERROR_ABANDONED_WAIT_0 || e == ERROR_INVALID_HANDLE) {  // R3: the port is gone
      const LastErrorKeeper keep(inner());
      std::lock_guard lock(mutex_);
      port_gone(p);
    }
  }
  return ok;
}

BOOL CompletionLedger::GetQueuedCompletionStatusEx(HANDLE p, LPOVERLAPPED_ENTRY e, ULONG n, PULONG r, DWORD ms,
                                                   BOOL a) {
  const BOOL ok = inner().GetQueuedCompletionStatusEx(p, e, n, r, ms, a);
  if (ok && r != nullptr && e != nullptr) {
    const LastErrorKeeper keep(inner());
    for (ULONG i = 0; i < *r && i < n; ++i) dequeued(e[i].lpOverlapped);
  } else if (!ok) {
    const DWORD err = inner().GetLastError();
    if (err == ERROR_ABANDONED_WAIT_0 || err == ERROR_INVALID_HANDLE) {  // R3
      const LastErrorKeeper keep(inner());
      std::lock_guard lock(mutex_);
      port_gone(p);
    }
  }
  return ok;
}

BOOL CompletionLedger::PostQueuedCompletionStatus(HANDLE p, DWORD b, ULONG_PTR k, LPOVERLAPPED o) {
  const BOOL ok = inner().PostQueuedCompletionStatus(p, b, k, o);
  if (ok && o != nullptr) {
    const LastErrorKeeper keep(inner());
    std::lock_guard lock(mutex_);
    Balance& bal = balances_[o];
    ++bal.owed_minus_dequeued;
    bal.last_call = "PostQueuedCompletionStatus";
    bal.port = p;
    ++owed_;
  }
  return ok;
}

BOOL CompletionLedger::SetFileCompletionNotificationModes(HANDLE h, UCHAR f) {
  const BOOL ok = inner().SetFileCompletionNotificationModes(h, f);
  if (ok) {
    const LastErrorKeeper keep(inner());
    std::lock_guard lock(mutex_);
    if ((f & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) != 0) {
      skip_mode_.insert(reinterpret_cast<SOCKET>(h));
    } else {
      skip_mode_.erase(reinterpret_cast<SOCKET>(h));
    }
  }
  return ok;
}

// The handle may be reused for another socket as soon as the call below has freed it, and that
// socket associated on another thread before this one gets the lock: only what this socket was
// given goes.
int CompletionLedger::closesocket(SOCKET s) {
  std::uint64_t association = 0;
  {
    std::lock_guard lock(mutex_);
    const auto it = on_a_port_.find(s);
    if (it != on_a_port_.end()) association = it->second.number;
  }
  const int r = inner().closesocket(s);
  if (r == 0) {  // its pending ops still complete, each with its packet
    const LastErrorKeeper keep(inner());
    std::lock_guard lock(mutex_);
    const auto it = on_a_port_.find(s);
    if (it != on_a_port_.end() && it->second.number == association) {
      on_a_port_.erase(it);
      skip_mode_.erase(s);
    }
  }
  return r;
}

BOOL CompletionLedger::AcceptEx(SOCKET l, SOCKET a, PVOID b, DWORD n, DWORD la, DWORD ra, LPDWORD r, LPOVERLAPPED o) {
  issuing("AcceptEx", o);
  const BOOL ok = inner().AcceptEx(l, a, b, n, la, ra, r, o);
  issued(l, l, o, how_issued(ok));  // the packet goes to the listening socket's port
  return ok;
}

BOOL CompletionLedger::ConnectEx(SOCKET s, const sockaddr* a, int n, PVOID b, DWORD len, LPDWORD sent, LPOVERLAPPED o) {
  issuing("ConnectEx", o);
  const BOOL ok = inner().ConnectEx(s, a, n, b, len, sent, o);
  issued(s, s, o, how_issued(ok));
  return ok;
}

int CompletionLedger::WSARecv(SOCKET s, LPWSABUF b, DWORD n, LPDWORD got, LPDWORD f, LPWSAOVERLAPPED o,
                              LPWSAOVERLAPPED_COMPLETION_ROUTINE r) {
  issuing("WSARecv", o);
  const int rc = inner().WSARecv(s, b, n, got, f, o, r);
  issued(s, s, o, how_issued(rc == 0));
  return rc;
}

int CompletionLedger::WSASend(SOCKET s, LPWSABUF b, DWORD n, LPDWORD sent, DWORD f, LPWSAOVERLAPPED o,
                              LPWSAOVERLAPPED_COMPLETION_ROUTINE r) {
  issuing("WSASend", o);
  const int rc = inner().WSASend(s, b, n, sent, f, o, r);
  issued(s, s, o, how_issued(rc == 0));
  return rc;
}

}  // namespace iocpsim::iocp
