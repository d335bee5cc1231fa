// One emulated completion port: a FIFO of packets and a LIFO of waiting threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

#include "port_lock.hpp"

#include "iocpsim/iocp/win32.hpp"

namespace iocpsim::iocp::detail {

// Trivial on purpose: GQCSEx keeps an uninitialised batch of these on its stack.
struct Packet {
  ULONG_PTR key;
  OVERLAPPED* overlapped;
  DWORD bytes;
  NTSTATUS status;
  // True for I/O completions, whose OVERLAPPED gets Internal/InternalHigh written when dequeued;
  // posted packets leave the OVERLAPPED alone, as on Windows.
  bool io;
};

enum class DequeueResult { got, timeout, abandoned, invalid };

class Port {
 public:
  // Makes the slot a new open port; returns its generation (part of the handle value).
  std::uint32_t open();
  // False if the port was closed (the packet is dropped, as Windows frees it).
  bool post(std::uint32_t generation, const Packet& packet);
  // Waits up to timeout_ms (INFINITE: forever) for at least one packet, then takes up to
  // max_count without waiting more.
  DequeueResult dequeue(std::uint32_t generation, Packet* out, std::size_t max_count, std::size_t* count,
                        DWORD timeout_ms);
  // Drops queued packets and wakes every waiter with "abandoned". False if already closed.
  bool close(std::uint32_t generation);
  bool is_open(std::uint32_t generation) const;
  bool is_open() const;
  std::size_t queued() const;
  // Threads blocked in dequeue right now (for tests that must know a thread waits).
  std::size_t waiters() const;

 private:
  // A thread blocked in dequeue. Lives on that thread's stack; a poster hands it a packet
  // directly, so waking is LIFO (the most recent waiter first, as Windows does) while packets
  // stay FIFO: a waiter exists only while the queue is empty.
  //
  // Hand-over: under the port's mutex the poster unlinks the waiter, fills it in and sets
  // `state` to kChosen; after unlocking it wakes the waiter's word. The waiter needs no mutex
  // to wake up (waking it under the mutex made it block on that mutex at once) and may return
  // as soon as it sees kChosen: the poster's wake then goes to an address that may already be
  // reused, which at worst wakes some other sleeper spuriously — every sleeper re-checks its
  // word (the reasoning glibc's sem_post relies on).
  enum : std::uint32_t { kWaiting = 0, kChosen = 1 };
  struct Waiter {
    std::atomic<std::uint32_t> state{kWaiting};
    Packet packet;
    bool abandoned = false;
    Waiter* below = nullptr;
    Waiter* above = nullptr;
  };

  void push_waiter(Waiter* w);
  void unlink_waiter(Waiter* w);
  std::size_t take_queued(Packet* out, std::size_t max_count);
  bool spin_for_packet(std::unique_lock<PortLock>& lock, std::uint32_t generation);
  bool wait_for_packet(std::unique_lock<PortLock>& lock, Waiter& w, DWORD timeout_ms);

  mutable PortLock mutex_;
  bool open_ = false;
  std::uint32_t generation_ = 0;
  std::deque<Packet> queue_;
  std::atomic<std::size_t> queued_hint_{0};  // queue_.size(), readable without the lock
  Waiter* top_ = nullptr;
};

}  // namespace iocpsim::iocp::detail
