// A simulated thread's state, kept by its Scheduler under the scheduler's mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "fiber.hpp"

namespace iocpsim::world {

class Scheduler;

struct SimThread {
  enum class State : std::uint8_t { runnable, blocked, done };
  std::uint32_t id = 0;
  std::string name;
  State state = State::runnable;
  const void* blocked_on = nullptr;
  std::optional<std::chrono::microseconds> wake_at;
  bool timed_out = false;
  bool aborted = false;          // its next wait throws SimulationAborted
  std::uint64_t priority = 0;    // pct
  std::uint32_t last_error = 0;  // Win32's last error is per thread: each simulated one has its own
  Scheduler* scheduler = nullptr;
  std::function<void()> body;
  std::unique_ptr<detail::Fiber> fiber;  // where it runs: a fiber on the run's OS thread
};

namespace detail {
SimThread* current_sim_thread() noexcept;
void set_current(Scheduler* s, SimThread* t) noexcept;
}  // namespace detail

}  // namespace iocpsim::world
