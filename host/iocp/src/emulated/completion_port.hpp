// One emulated completion port: a FIFO of packets and a LIFO of waiting threads.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

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
  DequeueResult dequeue(std::uint32_t generation, Packet* out, std::size_t max_count,
                        std::size_t* count, DWORD timeout_ms);
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
  struct Waiter {
    std::condition_variable wake;
    Packet packet;
    bool has_packet = false;
    bool abandoned = false;
    Waiter* below = nullptr;
    Waiter* above = nullptr;
  };

  void push_waiter(Waiter* w);
  void unlink_waiter(Waiter* w);
  std::size_t take_queued(Packet* out, std::size_t max_count);
  bool wait_for_packet(std::unique_lock<std::mutex>& lock, Waiter& w, DWORD timeout_ms);

  mutable std::mutex mutex_;
  bool open_ = false;
  std::uint32_t generation_ = 0;
  std::deque<Packet> queue_;
  Waiter* top_ = nullptr;
};

}  // namespace iocpsim::iocp::detail
