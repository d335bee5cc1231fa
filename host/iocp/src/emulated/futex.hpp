// The two futex calls the port's waiters use (Linux). A waiter sleeps on a 32-bit atomic that
// a poster changes before waking it, so no mutex is needed around the wake-up.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace iocpsim::iocp::detail {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

// Sleeps while *word == expected, up to timeout (nullptr: no limit). Returns on a wake, a
// change, a timeout or a signal; the caller re-checks the word.
inline void futex_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected,
                       const timespec* timeout) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected,
            timeout, nullptr, 0);
}

inline void futex_wake_one(std::atomic<std::uint32_t>* word) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE_PRIVATE, 1, nullptr,
            nullptr, 0);
}

}  // namespace iocpsim::iocp::detail
