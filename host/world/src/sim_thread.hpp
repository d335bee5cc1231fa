// A simulated thread's state, kept by its Scheduler under the scheduler's mutex.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

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
  std::condition_variable turn;  // signalled when the scheduler hands it the run
  std::function<void()> body;
  std::thread os;
};

namespace detail {
SimThread* current_sim_thread() noexcept;
void set_current(Scheduler* s, SimThread* t) noexcept;
}  // namespace detail

}  // namespace iocpsim::world
