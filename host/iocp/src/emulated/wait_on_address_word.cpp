// word_wait.hpp over WaitOnAddress / WakeByAddressSingle (Windows 8+, synchronization.lib).
// Like a futex, a wake for an address whose waiter has gone only wakes a sleeper spuriously.
#include "word_wait.hpp"

#include "iocpsim/iocp/win32.hpp"

namespace iocpsim::iocp::detail {

void word_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected, const std::chrono::nanoseconds* timeout) {
  DWORD timeout_ms = INFINITE;
  if (timeout != nullptr) {
    // Rounded up: a wait that ends early would only spin the caller round its loop.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
    timeout_ms = ms >= static_cast<long long>(INFINITE) ? INFINITE - 1 : static_cast<DWORD>(ms);
  }
  ::WaitOnAddress(reinterpret_cast<volatile VOID*>(word), &expected, sizeof expected, timeout_ms);
}

void word_wake_one(std::atomic<std::uint32_t>* word) { ::WakeByAddressSingle(reinterpret_cast<PVOID>(word)); }

}  // namespace iocpsim::iocp::detail
