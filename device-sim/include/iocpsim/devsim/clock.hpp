// The device's only source of time. The model and the script read time through Clock and never
// from the wall clock, so tests drive a ManualClock and a simulated network can supply virtual time.
#pragma once

#include <atomic>
#include <chrono>

namespace iocpsim::devsim {

// Time since the clock's epoch (the start of the run), in microseconds.
using DeviceTime = std::chrono::microseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual DeviceTime now() const = 0;
};

// Real time: std::chrono::steady_clock, counted from construction.
class SteadyClock final : public Clock {
 public:
  SteadyClock() : start_(std::chrono::steady_clock::now()) {}
  DeviceTime now() const override {
    return std::chrono::duration_cast<DeviceTime>(std::chrono::steady_clock::now() - start_);
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// Time that moves only when told to. Safe to advance from another thread than the reader's.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(DeviceTime start = DeviceTime{0}) : now_us_(start.count()) {}
  DeviceTime now() const override { return DeviceTime{now_us_.load(std::memory_order_acquire)}; }
  void advance(DeviceTime by) { now_us_.fetch_add(by.count(), std::memory_order_acq_rel); }
  void set(DeviceTime to) { now_us_.store(to.count(), std::memory_order_release); }

 private:
  std::atomic<DeviceTime::rep> now_us_;
};

}  // namespace iocpsim::devsim
