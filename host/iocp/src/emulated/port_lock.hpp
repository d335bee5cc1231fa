// The lock of a completion port: its critical sections are a few dozen instructions (push or pop
// a packet, link a waiter), and a poster and a dequeuer on two cores meet on it for every
// packet. std::mutex sleeps in the kernel at the first collision, and under that load most of
// the port's time went to futex calls. This lock spins briefly before it sleeps.
//
// Three states on one word (U. Drepper, "Futexes Are Tricky", mutex 2): 0 free, 1 held, 2 held
// with possible sleepers. Sleeping and waking use word_wait / word_wake_one (a futex on Linux,
// WaitOnAddress on Windows).
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "word_wait.hpp"

namespace iocpsim::iocp::detail {

// One step of a busy wait: a pause hint to the CPU where it has one.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

class PortLock {
 public:
  PortLock() = default;
  PortLock(const PortLock&) = delete;
  PortLock& operator=(const PortLock&) = delete;

  void lock() {
    std::uint32_t seen = kFree;
    if (word_.compare_exchange_strong(seen, kHeld, std::memory_order_acquire)) return;
    for (int i = 0; i < kSpins; ++i) {
      cpu_relax();
      seen = word_.load(std::memory_order_relaxed);
      if (seen == kFree &&
          word_.compare_exchange_weak(seen, kHeld, std::memory_order_acquire, std::memory_order_relaxed)) {
        return;
      }
      if (seen == kContended) break;  // others sleep already: join them
    }
    // From here on the word says "contended", so the holder's unlock wakes somebody.
    seen = word_.exchange(kContended, std::memory_order_acquire);
    while (seen != kFree) {
      word_wait(&word_, kContended, nullptr);
      seen = word_.exchange(kContended, std::memory_order_acquire);
    }
  }

  bool try_lock() {
    std::uint32_t seen = kFree;
    return word_.compare_exchange_strong(seen, kHeld, std::memory_order_acquire, std::memory_order_relaxed);
  }

  void unlock() {
    if (word_.exchange(kFree, std::memory_order_release) == kContended) word_wake_one(&word_);
  }

 private:
  enum : std::uint32_t { kFree = 0, kHeld = 1, kContended = 2 };
  // About a microsecond: longer than any critical section here, shorter than a futex round trip.
  static constexpr int kSpins = 100;

  std::atomic<std::uint32_t> word_{kFree};
};

}  // namespace iocpsim::iocp::detail
