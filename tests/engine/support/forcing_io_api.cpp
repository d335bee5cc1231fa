#include "forcing_io_api.hpp"

#include <algorithm>
#include <chrono>

namespace iocpsim::engine::testing {

void ForcingIoApi::note(const char* call) {
  {
    std::lock_guard lock(mutex_);
    journal_.emplace_back(call);
  }
  changed_.notify_all();
}

bool ForcingIoApi::wait_calls(const std::string& call, std::size_t n) {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, std::chrono::system_clock::now() + std::chrono::seconds(20), [&] {
    return static_cast<std::size_t>(std::count(journal_.begin(), journal_.end(), call)) >= n;
  });
}

bool ForcingIoApi::wait_waiting(std::size_t n) {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, std::chrono::system_clock::now() + std::chrono::seconds(20), [&] { return waiting_ >= n; });
}

bool ForcingIoApi::wait_posted_dequeued() {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, std::chrono::system_clock::now() + std::chrono::seconds(20),
                           [&] { return posted_dequeued_ >= posted_; });
}

void ForcingIoApi::short_next_send(DWORD bytes) {
  std::lock_guard lock(mutex_);
  short_send_ = bytes;
}

void ForcingIoApi::fail_next(const std::string& call, int wsa_error) {
  std::lock_guard lock(mutex_);
  failures_[call] = wsa_error;
}

void ForcingIoApi::rewrite_next_completion(const std::string& call, NTSTATUS status, DWORD bytes) {
  std::lock_guard lock(mutex_);
  pending_rewrites_[call] = {status, bytes};
}

void ForcingIoApi::hold_connects(bool on) {
  std::lock_guard lock(mutex_);
  hold_connects_ = on;
}

void ForcingIoApi::hold_sends(bool on) {
  std::lock_guard lock(mutex_);
  hold_sends_ = on;
}

void ForcingIoApi::fail_next_dequeue(DWORD error) {
  std::lock_guard lock(mutex_);
  dequeue_failure_ = error;
}

std::vector<std::string> ForcingIoApi::journal() const {
  std::lock_guard lock(mutex_);
  return journal_;
}

std::size_t ForcingIoApi::mark() const {
  std::lock_guard lock(mutex_);
  return journal_.size();
}

std::size_t ForcingIoApi::count_since(std::size_t mark, const std::string& call) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count(journal_.begin() + static_cast<std::ptrdiff_t>(std::min(mark, journal_.size())),
                 journal_.end(), call));
}

std::size_t ForcingIoApi::count(const std::string& call) const { return count_since(0, call); }

std::optional<int> ForcingIoApi::take_failure(const std::string& call) {
  std::lock_guard lock(mutex_);
  const auto it = failures_.find(call);
  if (it == failures_.end()) return std::nullopt;
  const int e = it->second;
  failures_.erase(it);
  return e;
}

void ForcingIoApi::arm_rewrite(const std::string& call, OVERLAPPED* ov) {
  std::lock_guard lock(mutex_);
  const auto it = pending_rewrites_.find(call);
  if (it == pending_rewrites_.end()) return;
  rewrites_[ov] = it->second;
  pending_rewrites_.erase(it);
}

// A held connect or send ends the way Windows ends a pending one: one packet with `status`,
// nothing moved.
bool ForcingIoApi::complete_held(std::map<SOCKET, OVERLAPPED*>& held, SOCKET s, NTSTATUS status) {
  OVERLAPPED* ov = nullptr;
  Binding b{};
  {
    std::lock_guard lock(mutex_);
    const auto it = held.find(s);
    if (it == held.end()) return false;
    ov = it->second;
    held.erase(it);
    b = bindings_[s];
    rewrites_[ov] = {status, 0};
  }
  inner_.PostQueuedCompletionStatus(b.port, 0, b.key, ov);
  return true;
}

HANDLE ForcingIoApi::CreateIoCompletionPort(HANDLE file, HANDLE existing, ULONG_PTR key, DWORD n) {
  note("CreateIoCompletionPort");
  HANDLE h = inner_.CreateIoCompletionPort(file, existing, key, n);
  if (h != nullptr && existing != nullptr) {
    std::lock_guard lock(mutex_);
    bindings_[reinterpret_cast<SOCKET>(file)] = {existing, key};
  }
  return h;
}

BOOL ForcingIoApi::GetQueuedCompletionStatus(HANDLE port, LPDWORD n, PULONG_PTR key,
                                             LPOVERLAPPED* ov, DWORD ms) {
  // Only the engine's start-up probe dequeues one packet at a time; its packets count as the
  // workers' batches do.
  const BOOL ok = inner_.GetQueuedCompletionStatus(port, n, key, ov, ms);
  if (!ok && *ov == nullptr) return ok;
  std::lock_guard lock(mutex_);
  count_dequeued(*ov);
  changed_.notify_all();
  return ok;
}

void ForcingIoApi::count_dequeued(LPOVERLAPPED ov) {
  if (ov == nullptr) ++posted_dequeued_;
  sends_in_flight_.erase(ov);
}

BOOL ForcingIoApi::GetQueuedCompletionStatusEx(HANDLE port, LPOVERLAPPED_ENTRY entries,
                                               ULONG count, PULONG removed, DWORD ms, BOOL alertable) {
  {
    std::lock_guard lock(mutex_);
    workers_port_ = port;
    if (dequeue_failure_) {
      inner_.SetLastError(*dequeue_failure_);
      dequeue_failure_.reset();
      *removed = 1;  // as Windows does on FALSE (R2): the count means nothing
      return FALSE;
    }
    ++waiting_;
  }
  changed_.notify_all();
  const BOOL ok = inner_.GetQueuedCompletionStatusEx(port, entries, count, removed, ms, alertable);
  {
    std::lock_guard lock(mutex_);
    --waiting_;
  }
  if (!ok) {
    if (inner_.GetLastError() == WAIT_TIMEOUT) note("GetQueuedCompletionStatusEx:WAIT_TIMEOUT");
    return ok;
  }
  for (ULONG i = 0; i < *removed; ++i) note(entries[i].lpOverlapped == nullptr ? "DQ:posted" : "DQ:io");
  std::lock_guard lock(mutex_);
  for (ULONG i = 0; i < *removed; ++i) {
    count_dequeued(entries[i].lpOverlapped);
    const auto it = rewrites_.find(entries[i].lpOverlapped);
    if (it == rewrites_.end()) continue;
    entries[i].Internal = static_cast<DWORD>(it->second.status);
    entries[i].dwNumberOfBytesTransferred = it->second.bytes;
    entries[i].lpOverlapped->Internal = entries[i].Internal;
    entries[i].lpOverlapped->InternalHigh = it->second.bytes;
    rewrites_.erase(it);
  }
  changed_.notify_all();
  return ok;
}

BOOL ForcingIoApi::PostQueuedCompletionStatus(HANDLE port, DWORD n, ULONG_PTR key, LPOVERLAPPED ov) {
  note("PostQueuedCompletionStatus");
  std::lock_guard lock(mutex_);  // counted before it can be dequeued
  const BOOL ok = inner_.PostQueuedCompletionStatus(port, n, key, ov);
  if (ok && ov == nullptr) ++posted_;
  return ok;
}

BOOL ForcingIoApi::CloseHandle(HANDLE h) {
  note("CloseHandle");
  return inner_.CloseHandle(h);
}

bool ForcingIoApi::close_workers_port() {
  HANDLE port = nullptr;
  {
    std::lock_guard lock(mutex_);
    port = workers_port_;
  }
  note("CloseHandle:workers_port");
  return port != nullptr && inner_.CloseHandle(port) != FALSE;
}

void ForcingIoApi::skip_mode(SkipMode m) {
  std::lock_guard lock(mutex_);
  skip_mode_ = m;
}

BOOL ForcingIoApi::SetFileCompletionNotificationModes(HANDLE h, UCHAR flags) {
  note("SetFileCompletionNotificationModes");
  {
    std::lock_guard lock(mutex_);
    if (skip_mode_ == SkipMode::pretend) return TRUE;
    if (skip_mode_ == SkipMode::refuse) {
      inner_.SetLastError(ERROR_INVALID_PARAMETER);
      return FALSE;
    }
    if ((flags & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) != 0) {
      skip_on_success_.insert(reinterpret_cast<SOCKET>(h));
    } else {
      skip_on_success_.erase(reinterpret_cast<SOCKET>(h));
    }
  }
  return inner_.SetFileCompletionNotificationModes(h, flags);
}

BOOL ForcingIoApi::CancelIoEx(HANDLE h, LPOVERLAPPED ov) {
  note("CancelIoEx");
  if (complete_held(held_, reinterpret_cast<SOCKET>(h), STATUS_CANCELLED)) return TRUE;  // R7
  if (complete_held(held_sends_, reinterpret_cast<SOCKET>(h), STATUS_CANCELLED)) return TRUE;
  return inner_.CancelIoEx(h, ov);
}

SOCKET ForcingIoApi::socket(int af, int type, int protocol) {
  note("socket");
  return inner_.socket(af, type, protocol);
}

int ForcingIoApi::bind(SOCKET s, const sockaddr* name, int namelen) {
  note("bind");
  return inner_.bind(s, name, namelen);
}

int ForcingIoApi::closesocket(SOCKET s) {
  note("closesocket");
  complete_held(held_, s, STATUS_CANCELLED);  // R6b: closed under a pending connect
  complete_held(held_sends_, s, STATUS_CONNECTION_ABORTED);  // R6: closed under a pending send
  {
    std::lock_guard lock(mutex_);
    bindings_.erase(s);
  }
  return inner_.closesocket(s);
}

int ForcingIoApi::shutdown(SOCKET s, int how) {
  note("shutdown");
  return inner_.shutdown(s, how);
}

int ForcingIoApi::setsockopt(SOCKET s, int level, int optname, const char* optval, int optlen) {
  note(optname == SO_UPDATE_CONNECT_CONTEXT && level == SOL_SOCKET ? "setsockopt(SO_UPDATE_CONNECT_CONTEXT)"
                                                                    : "setsockopt");
  return inner_.setsockopt(s, level, optname, optval, optlen);
}

BOOL ForcingIoApi::ConnectEx(SOCKET s, const sockaddr* name, int namelen, PVOID buf, DWORD len,
                             LPDWORD sent, LPOVERLAPPED ov) {
  note("ConnectEx");
  if (const auto e = take_failure("ConnectEx")) {
    inner_.WSASetLastError(*e);
    return FALSE;
  }
  {
    std::lock_guard lock(mutex_);
    if (hold_connects_) {
      held_[s] = ov;
      inner_.WSASetLastError(WSA_IO_PENDING);
      return FALSE;
    }
  }
  arm_rewrite("ConnectEx", ov);
  return inner_.ConnectEx(s, name, namelen, buf, len, sent, ov);
}

int ForcingIoApi::WSARecv(SOCKET s, LPWSABUF bufs, DWORD count, LPDWORD received, LPDWORD flags,
                          LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  if (const auto e = take_failure("WSARecv")) {
    note("WSARecv");
    inner_.WSASetLastError(*e);
    return SOCKET_ERROR;
  }
  arm_rewrite("WSARecv", ov);
  const int rc = inner_.WSARecv(s, bufs, count, received, flags, ov, routine);
  const int error = inner_.WSAGetLastError();
  note("WSARecv");  // after the call: a test waiting for it knows the receive is issued
  inner_.WSASetLastError(error);
  return rc;
}

int ForcingIoApi::WSASend(SOCKET s, LPWSABUF bufs, DWORD count, LPDWORD sent, DWORD flags,
                          LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) {
  note("WSASend");
  if (const auto e = take_failure("WSASend")) {
    inner_.WSASetLastError(*e);
    return SOCKET_ERROR;
  }
  arm_rewrite("WSASend", ov);
  if (ov != nullptr) {
    std::lock_guard lock(mutex_);
    sends_in_flight_.insert(ov);
    if (hold_sends_) {
      held_sends_[s] = ov;
      inner_.WSASetLastError(WSA_IO_PENDING);
      return SOCKET_ERROR;
    }
  }
  std::optional<DWORD> cut;
  {
    std::lock_guard lock(mutex_);
    cut.swap(short_send_);
  }
  if (cut && count >= 1 && bufs[0].len > *cut) {
    // Really send only the prefix: the completion then reports fewer bytes (R8).
    WSABUF prefix{*cut, bufs[0].buf};
    return track_send(s, ov, inner_.WSASend(s, &prefix, 1, sent, flags, ov, routine));
  }
  return track_send(s, ov, inner_.WSASend(s, bufs, count, sent, flags, ov, routine));
}

int ForcingIoApi::track_send(SOCKET s, LPWSAOVERLAPPED ov, int rc) {
  const int error = inner_.WSAGetLastError();  // read, never changed: the caller sees the same
  std::lock_guard lock(mutex_);
  // A packet comes for a pending send (R1) and for a success at once without skip mode (R9).
  // It was counted before the call (a worker may dequeue it before the call returns); forget it
  // when none will come.
  const bool packet = rc == SOCKET_ERROR ? error == WSA_IO_PENDING
                                         : skip_on_success_.count(s) == 0;
  if (!packet && ov != nullptr) sends_in_flight_.erase(ov);
  return rc;
}

bool ForcingIoApi::wait_sends_dequeued() {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, std::chrono::system_clock::now() + std::chrono::seconds(20),
                             [&] { return sends_in_flight_.empty(); });
}

}  // namespace iocpsim::engine::testing
