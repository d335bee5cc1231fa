// The synchronisation a run's threads use: a mutex, a condition variable, a thread and a sleep
// that behave as the standard ones in the real world and, on a thread of a simulated world
// (scheduler.hpp), hand every decision to that world's scheduler: who runs next, who gets a lock,
// when a timed wait ends. Code written against these runs unchanged in both.
//
// In the real world each call costs one thread-local read more than the std:: type it wraps. On
// Windows none of them changes the calling thread's last error (GetLastError), which the
// runtime's own locks do on their contended paths: a caller may take a lock between a Win32 call
// and reading its error.
#pragma once

#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace iocpsim::world {

class Scheduler;
struct SimThread;

// The simulated world the calling thread belongs to, or nullptr (the real world).
Scheduler* current_scheduler() noexcept;

// The calling thread's last-error value, for a simulated backend's GetLastError: on a thread of a
// simulated world its own (the threads of a run share one OS thread), elsewhere the OS thread's.
std::uint32_t& thread_last_error() noexcept;

// A scheduling point: in a simulated world the scheduler may let another thread run here.
// Nothing in the real world. `what` names the point in the run's decision trace.
void yield_point(const char* what) noexcept;

class Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock();
  void unlock();
  bool try_lock();

 private:
  friend class CondVar;
  std::mutex real_;
  SimThread* sim_owner_ = nullptr;  // touched only by the running thread of a simulated world
};

class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void notify_one();
  void notify_all();
  void wait(std::unique_lock<Mutex>& lock);
  // False if the time ran out (the run's clock: steady in the real world, virtual in a simulated one).
  bool wait_for(std::unique_lock<Mutex>& lock, std::chrono::microseconds timeout);

  template <class Predicate>
  void wait(std::unique_lock<Mutex>& lock, Predicate ready) {
    while (!ready()) wait(lock);
  }
  // The predicate's value when the wait ends.
  template <class Predicate>
  bool wait_for(std::unique_lock<Mutex>& lock, std::chrono::microseconds timeout, Predicate ready) {
    const auto start = now();
    while (!ready()) {
      const auto waited = now() - start;
      if (waited >= timeout || !wait_for(lock, timeout - waited)) return ready();
    }
    return true;
  }

 private:
  static std::chrono::microseconds now();
  std::condition_variable real_;
  int sim_key_ = 0;  // its address is what simulated waiters block on
};

// A thread of the run: a std::thread in the real world, a scheduled thread in a simulated one.
class Thread {
 public:
  Thread() = default;
  Thread(std::string name, std::function<void()> body);
  Thread(Thread&&) noexcept;
  Thread& operator=(Thread&&) noexcept;
  ~Thread();  // joins if still joinable (std::thread would terminate)

  bool joinable() const noexcept;
  void join();

 private:
  std::thread real_;
  SimThread* sim_ = nullptr;
  Scheduler* scheduler_ = nullptr;
};

// Blocks the calling thread for `d` of the run's time.
void sleep_for(std::chrono::microseconds d);

}  // namespace iocpsim::world
