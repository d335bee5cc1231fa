// word_wait.hpp over the Linux futex (private to the process).
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "word_wait.hpp"

namespace iocpsim::iocp::detail {

void word_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected, const std::chrono::nanoseconds* timeout) {
  timespec rel{};
  if (timeout != nullptr) {
    const auto ns = timeout->count();
    rel = {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  }
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected,
            timeout != nullptr ? &rel : nullptr, nullptr, 0);
}

void word_wake_one(std::atomic<std::uint32_t>* word) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

}  // namespace iocpsim::iocp::detail
