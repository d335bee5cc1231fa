// Completion ports: CreateIoCompletionPort (create), GetQueuedCompletionStatus(Ex),
// PostQueuedCompletionStatus, CloseHandle.
//
// A port is a mutex, a FIFO of packets and a LIFO stack of waiters. A packet posted while
// threads wait goes straight to the most recent waiter (Windows wakes LIFO, to keep one hot
// thread busy); otherwise it joins the queue.
#include <chrono>
#include <thread>
#include <vector>

#include "emulation.hpp"
#include "error_map.hpp"
#include "word_wait.hpp"

namespace iocpsim::iocp {
namespace detail {
namespace {

// How long a dequeuer looks for a packet before it goes to sleep (a few microseconds).
constexpr int kSpinChecks = 128;

}  // namespace

std::uint32_t Port::open() {
  std::lock_guard lock(mutex_);
  open_ = true;
  return ++generation_;
}

bool Port::is_open(std::uint32_t generation) const {
  std::lock_guard lock(mutex_);
  return open_ && generation_ == generation;
}

bool Port::is_open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

std::size_t Port::queued() const {
  std::lock_guard lock(mutex_);
  return open_ ? queue_.size() : 0;
}

std::size_t Port::waiters() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const Waiter* w = top_; w != nullptr; w = w->below) ++n;
  return n;
}

bool Port::post(std::uint32_t generation, const Packet& packet) {
  std::atomic<std::uint32_t>* word = nullptr;  // the chosen waiter's word
  {
    std::lock_guard lock(mutex_);
    if (!open_ || generation_ != generation) return false;
    if (top_ == nullptr) {
      queue_.push_back(packet);
      queued_hint_.store(queue_.size(), std::memory_order_relaxed);
      return true;
    }
    Waiter* w = top_;
    unlink_waiter(w);
    w->packet = packet;
    word = &w->state;
    word->store(kChosen, std::memory_order_release);
  }
  word_wake_one(word);  // the waiter may be gone already: see Waiter
  return true;
}

bool Port::close(std::uint32_t generation) {
  std::vector<std::atomic<std::uint32_t>*> words;  // the waiters' words
  {
    std::lock_guard lock(mutex_);
    if (!open_ || generation_ != generation) return false;
    open_ = false;
    queue_.clear();
    queued_hint_.store(0, std::memory_order_relaxed);
    while (top_ != nullptr) {
      Waiter* w = top_;
      unlink_waiter(w);
      w->abandoned = true;
      words.push_back(&w->state);
      w->state.store(kChosen, std::memory_order_release);
    }
  }
  for (auto* word : words) word_wake_one(word);  // each waiter may be gone already: see Waiter
  return true;
}

void Port::push_waiter(Waiter* w) {
  w->below = top_;
  w->above = nullptr;
  if (top_ != nullptr) top_->above = w;
  top_ = w;
}

void Port::unlink_waiter(Waiter* w) {
  if (w->above != nullptr) w->above->below = w->below;
  if (w->below != nullptr) w->below->above = w->above;
  if (top_ == w) top_ = w->below;
  w->above = w->below = nullptr;
}

std::size_t Port::take_queued(Packet* out, std::size_t max_count) {
  std::size_t n = 0;
  while (n < max_count && !queue_.empty()) {
    out[n++] = queue_.front();
    queue_.pop_front();
  }
  queued_hint_.store(queue_.size(), std::memory_order_relaxed);
  return n;
}

// A packet often follows within microseconds (a producer in a loop, the reactor finishing a
// burst): looking for it briefly costs less than sleeping and being woken. Returns true, with
// the lock held again, if a packet came or the port was closed meanwhile.
bool Port::spin_for_packet(std::unique_lock<PortLock>& lock, std::uint32_t generation) {
  lock.unlock();
  for (int i = 0; i < kSpinChecks && queued_hint_.load(std::memory_order_relaxed) == 0; ++i) {
    cpu_relax();
  }
  lock.lock();
  return !queue_.empty() || !open_ || generation_ != generation;
}

// Returns true when a packet was handed over or the port was closed; false on timeout. Either
// way the lock is released.
bool Port::wait_for_packet(std::unique_lock<PortLock>& lock, Waiter& w, DWORD timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  lock.unlock();
  while (w.state.load(std::memory_order_acquire) == kWaiting) {
    if (timeout_ms == INFINITE) {
      word_wait(&w.state, kWaiting, nullptr);
      continue;
    }
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      lock.lock();
      const bool chosen = w.state.load(std::memory_order_acquire) != kWaiting;
      if (!chosen) unlink_waiter(&w);
      lock.unlock();
      return chosen;
    }
    const auto left_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left);
    word_wait(&w.state, kWaiting, &left_ns);
  }
  return true;
}

DequeueResult Port::dequeue(std::uint32_t generation, Packet* out, std::size_t max_count, std::size_t* count,
                            DWORD timeout_ms) {
  std::unique_lock lock(mutex_);
  if (!open_ || generation_ != generation) return DequeueResult::invalid;
  if (!queue_.empty()) {
    *count = take_queued(out, max_count);
    return DequeueResult::got;
  }
  if (timeout_ms == 0) return DequeueResult::timeout;
  if (spin_for_packet(lock, generation)) {
    if (!open_ || generation_ != generation) return DequeueResult::abandoned;
    *count = take_queued(out, max_count);
    return DequeueResult::got;
  }
  Waiter w;
  push_waiter(&w);
  if (!wait_for_packet(lock, w, timeout_ms)) return DequeueResult::timeout;
  if (w.abandoned) return DequeueResult::abandoned;
  out[0] = w.packet;
  *count = 1;
  // A batch also takes what queued behind the handed-over packet; when the hint says nothing
  // did, it returns without taking the mutex again (a packet that slips in meanwhile waits for
  // the next call): relocking after every hand-over made the waiter queue behind a producer
  // that holds the mutex for each post.
  if (max_count > 1 && queued_hint_.load(std::memory_order_relaxed) != 0) {
    lock.lock();
    *count += take_queued(out + 1, max_count - 1);
  }
  return DequeueResult::got;
}

namespace {

// The I/O manager's half of a completion: the OVERLAPPED learns its result when the packet is
// dequeued, never earlier from the thread that issued it (R15).
void write_result(const Packet& p) {
  if (p.io && p.overlapped != nullptr) {
    p.overlapped->Internal = static_cast<DWORD>(p.status);
    p.overlapped->InternalHigh = p.bytes;
  }
}

// What a dequeue that got no packet reports (R2 timeout, R3 closed, invalid handle).
DWORD error_without_packet(DequeueResult r) {
  switch (r) {
    case DequeueResult::timeout:
      return WAIT_TIMEOUT;
    case DequeueResult::abandoned:
      return ERROR_ABANDONED_WAIT_0;
    default:
      return ERROR_INVALID_HANDLE;
  }
}

}  // namespace
}  // namespace detail

using detail::DequeueResult;
using detail::Packet;

// ---- CreateIoCompletionPort — creates a port, associates a socket with one, or both ----
// Concurrency limits (NumberOfConcurrentThreads) are not emulated: every waiter may run.
HANDLE EmulatedIoApi::CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort, ULONG_PTR CompletionKey,
                                             DWORD NumberOfConcurrentThreads) {
  (void)NumberOfConcurrentThreads;
  if (FileHandle == INVALID_HANDLE_VALUE && ExistingCompletionPort != nullptr) {
    detail::last_error() = ERROR_INVALID_PARAMETER;
    return nullptr;
  }
  HANDLE port = ExistingCompletionPort;
  if (port == nullptr) {
    const auto slot = emu_->ports.acquire();
    if (!slot) {
      detail::last_error() = ERROR_NOT_ENOUGH_MEMORY;
      return nullptr;
    }
    port = detail::port_handle(*slot, emu_->ports.find(*slot)->open());
  }
  if (FileHandle == INVALID_HANDLE_VALUE) return port;
  if (detail::associate_socket(*emu_, FileHandle, port, CompletionKey) != nullptr) return port;
  if (port != ExistingCompletionPort) {  // a port made for this call alone goes again
    const DWORD error = detail::last_error();
    CloseHandle(port);
    detail::last_error() = error;
  }
  return nullptr;
}

// ---- GetQueuedCompletionStatus — R1 R2 R3 R4 R5 R6 R7 R11 R12 ----
// TRUE leaves the last error alone (R1). FALSE with a packet: *lpOverlapped is the op and the
// error is the op's status as a Win32 code. FALSE without one: *lpOverlapped = NULL, the byte
// count is not touched, and the error says timeout (258), closed while waiting (735) or bad
// handle (6).
BOOL EmulatedIoApi::GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred,
                                              PULONG_PTR lpCompletionKey, LPOVERLAPPED* lpOverlapped,
                                              DWORD dwMilliseconds) {
  const detail::PortRef ref = detail::find_port(*emu_, CompletionPort);
  Packet packet{};
  std::size_t count = 0;
  const DequeueResult r = ref.port == nullptr ? DequeueResult::invalid
                                              : ref.port->dequeue(ref.generation, &packet, 1, &count, dwMilliseconds);
  if (r != DequeueResult::got) {
    *lpOverlapped = nullptr;
    detail::last_error() = detail::error_without_packet(r);
    return FALSE;
  }
  detail::write_result(packet);
  *lpNumberOfBytesTransferred = packet.bytes;
  *lpCompletionKey = packet.key;
  *lpOverlapped = packet.overlapped;
  if (packet.status < 0) {
    detail::last_error() = detail::win32_from_status(packet.status);
    return FALSE;
  }
  return TRUE;
}

// ---- GetQueuedCompletionStatusEx — R2 R3 R14 ----
// TRUE whenever at least one packet was removed, whatever each one's status (R14: the status is
// in entry.Internal as an NTSTATUS). On FALSE the count is set to 1 (R2) and must be ignored.
// No APCs exist in the emulation, so fAlertable changes nothing (R14b cannot happen).
BOOL EmulatedIoApi::GetQueuedCompletionStatusEx(HANDLE CompletionPort, LPOVERLAPPED_ENTRY lpCompletionPortEntries,
                                                ULONG ulCount, PULONG ulNumEntriesRemoved, DWORD dwMilliseconds,
                                                BOOL fAlertable) {
  (void)fAlertable;
  constexpr ULONG kBatchMax = 256;
  const detail::PortRef ref = detail::find_port(*emu_, CompletionPort);
  if (ulCount == 0 || lpCompletionPortEntries == nullptr) {
    detail::last_error() = ERROR_INVALID_PARAMETER;
    return FALSE;
  }
  Packet packets[kBatchMax];
  std::size_t count = 0;
  const std::size_t want = ulCount < kBatchMax ? ulCount : kBatchMax;
  const DequeueResult r = ref.port == nullptr
                              ? DequeueResult::invalid
                              : ref.port->dequeue(ref.generation, packets, want, &count, dwMilliseconds);
  if (r != DequeueResult::got) {
    *ulNumEntriesRemoved = 1;
    detail::last_error() = detail::error_without_packet(r);
    return FALSE;
  }
  for (std::size_t i = 0; i < count; ++i) {
    detail::write_result(packets[i]);
    OVERLAPPED_ENTRY& e = lpCompletionPortEntries[i];
    e.lpCompletionKey = packets[i].key;
    e.lpOverlapped = packets[i].overlapped;
    e.Internal = static_cast<DWORD>(packets[i].status);
    e.dwNumberOfBytesTransferred = packets[i].bytes;
  }
  *ulNumEntriesRemoved = static_cast<ULONG>(count);
  return TRUE;
}

// ---- PostQueuedCompletionStatus — R11 ----
// Any values, NULL overlapped included; the packet reads back as TRUE with exactly them.
BOOL EmulatedIoApi::PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred,
                                               ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped) {
  const detail::PortRef ref = detail::find_port(*emu_, CompletionPort);
  Packet packet{dwCompletionKey, lpOverlapped, dwNumberOfBytesTransferred, STATUS_SUCCESS, false};
  if (ref.port == nullptr || !ref.port->post(ref.generation, packet)) {
    detail::last_error() = ERROR_INVALID_HANDLE;
    return FALSE;
  }
  return TRUE;
}

// ---- CloseHandle (port) — R3 ----
// Wakes every waiter with FALSE + NULL + 735 and drops queued packets; later calls on the
// handle fail with 6.
BOOL EmulatedIoApi::CloseHandle(HANDLE hObject) {
  const detail::PortRef ref = detail::find_port(*emu_, hObject);
  if (ref.port == nullptr || !ref.port->close(ref.generation)) {
    detail::last_error() = ERROR_INVALID_HANDLE;
    return FALSE;
  }
  emu_->ports.release(ref.slot);
  return TRUE;
}

}  // namespace iocpsim::iocp
