// The time source the engine reads, injected so tests drive time by hand.
//
// Milliseconds on a monotonic scale; only differences are meaningful.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace iocpsim::engine {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ms() const = 0;
};

class SteadyClock final : public Clock {
 public:
  std::int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

// Time moves only when advance() is called. After advancing, call Engine::wake() so a worker
// re-reads the clock and runs the timers that fell due.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms = 1'000'000) : now_ms_(start_ms) {}
  std::int64_t now_ms() const override { return now_ms_.load(std::memory_order_acquire); }
  void advance(std::int64_t delta_ms) { now_ms_.fetch_add(delta_ms, std::memory_order_acq_rel); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace iocpsim::engine
