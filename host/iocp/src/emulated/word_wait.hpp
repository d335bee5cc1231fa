// Sleeping on a 32-bit word until another thread changes it: what the port's waiters use.
// futex_word.cpp implements it with a Linux futex, wait_on_address_word.cpp with Windows'
// WaitOnAddress; CMake compiles one. A waiter sleeps on an atomic that a poster changes before
// waking it, so no mutex is needed around the wake-up.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace iocpsim::iocp::detail {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

// Sleeps while *word == expected, up to timeout (nullptr: no limit). Returns on a wake, a
// change, a timeout or a spurious wake-up; the caller re-checks the word.
void word_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected, const std::chrono::nanoseconds* timeout);

// Wakes one thread sleeping on word. Waking an address nobody (or somebody else) waits on is
// harmless: every sleeper re-checks its word.
void word_wake_one(std::atomic<std::uint32_t>* word);

}  // namespace iocpsim::iocp::detail
