// Time and randomness as a run sees them: injected, so that a test can drive time by hand and a
// run can be replayed from its seed. A simulated world's clock is its scheduler's virtual time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string_view>

namespace iocpsim::world {

// A monotonic clock: microseconds since an arbitrary start.
class Clock {
 public:
  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock() = default;
  virtual std::chrono::microseconds now() const = 0;
};

// The machine's steady clock.
class SteadyClock final : public Clock {
 public:
  std::chrono::microseconds now() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch());
  }
};

// Time that moves only when told to (tests). Safe to read from any thread.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::microseconds start = std::chrono::microseconds{0}) : now_us_(start.count()) {}
  std::chrono::microseconds now() const override {
    return std::chrono::microseconds{now_us_.load(std::memory_order_acquire)};
  }
  void advance(std::chrono::microseconds by) { now_us_.fetch_add(by.count(), std::memory_order_acq_rel); }

 private:
  std::atomic<std::int64_t> now_us_;
};

// One seeded generator. The seed is kept so a failure can print it and be replayed. Not
// thread-safe: its owner serialises draws.
class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) : seed_(seed), engine_(seed) {}
  std::uint64_t seed() const { return seed_; }
  std::uint64_t next_u64() { return engine_(); }
  // Uniform in [0, 1).
  double next_unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // 53 bits: a double's precision

 private:
  std::uint64_t seed_;
  std::mt19937_64 engine_;
};

// The seed of the stream `name` of a run with seed `run_seed`: each component (the engine, the
// shim, each device, the scheduler, the network) draws from its own stream, so adding a draw to
// one does not move every other component's draws, and no two components draw the same numbers.
std::uint64_t stream_seed(std::uint64_t run_seed, std::string_view name) noexcept;

}  // namespace iocpsim::world
