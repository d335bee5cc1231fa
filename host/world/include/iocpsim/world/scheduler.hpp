// A simulated world's scheduler: the threads of one run are fibers on the one OS thread that
// runs it (the thread calling run() or adopt()), so only one of them runs at a time, and the
// scheduler alone decides which — at every scheduling point (a lock, a
// wait, an IoApi call of a simulated backend, an explicit yield_point) — from the run's seed. Time
// is virtual: it advances only when every thread is blocked, jumping to the next timer or timed
// wait. The same seed, strategy and program give the same interleaving, the same virtual times and
// the same decisions, every time.
//
// Strategies: `random` lets another runnable thread in at a point with a fixed probability, chosen
// uniformly; `pct` (probabilistic concurrency testing: priorities, with depth-1 change points at
// random steps) runs the highest-priority runnable thread and lowers the running thread's priority
// at each change point — a bug that needs d ordering constraints is found with probability at
// least 1/(n k^(d-1)) per run, n threads and k steps.
//
// A run where every thread is blocked with no timer left is a deadlock; one that passes
// `max_points` scheduling points is a livelock. Either ends the run: every blocked thread is woken
// with SimulationAborted thrown from its wait, so the run unwinds, and the report says why.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "iocpsim/world/clock.hpp"

namespace iocpsim::world {

enum class Strategy : std::uint8_t { random, pct };
const char* to_string(Strategy s) noexcept;

struct ScheduleOptions {
  std::uint64_t seed = 1;
  Strategy strategy = Strategy::random;
  double switch_probability = 0.25;       // random: chance that a point lets another thread in
  unsigned pct_depth = 3;                 // pct: d (d-1 change points)
  std::uint64_t pct_steps_hint = 20'000;  // pct: k, the steps the change points are drawn from
  std::uint64_t max_points = 50'000'000;
};

struct ScheduleReport {
  Strategy strategy = Strategy::random;
  std::uint64_t points = 0;               // scheduling points reached
  std::uint64_t decisions = 0;            // points where more than one thread could run
  std::uint64_t switches = 0;             // times another thread than the one at the point ran next
  std::uint64_t trace_hash = 0;           // of every decision: equal for equal interleavings
  std::chrono::microseconds end_time{0};  // virtual time when the run ended
  std::string failure;                    // "" or why the run was ended (deadlock, livelock, a thread's exception)
};

// Thrown from a wait of a thread whose run was ended (deadlock, livelock). Not a std::exception,
// so catch (const std::exception&) in the code under test does not swallow it.
struct SimulationAborted {
  std::string why;
};

struct SimThread;
namespace detail {
class Fiber;
}

class Scheduler {
 public:
  explicit Scheduler(ScheduleOptions options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs `main` as the run's first thread and returns when every thread of the run has ended.
  // Called from a thread outside any simulated world; once per scheduler.
  ScheduleReport run(std::function<void()> main);
  // The other way to run: the calling thread (outside any world) becomes the run's first thread
  // until release(), which waits for every thread it started to end. For a test whose body is the
  // run. Either run() or adopt(), once per scheduler.
  void adopt(std::string name);
  ScheduleReport release();

  // Virtual time since the run began.
  std::chrono::microseconds now() const;
  // The run's clock (now()), for what takes an iocp::Clock.
  const Clock& clock() const { return clock_; }

  // Calls `fn` once virtual time reaches `at` and no thread can run before it. `fn` runs on behalf
  // of the scheduler: it must not block; it may wake threads and add timers. Timers due at the
  // same time run in the order they were added.
  std::uint64_t add_timer(std::chrono::microseconds at, std::function<void()> fn);
  bool cancel_timer(std::uint64_t id);

  // ---- for the primitives (sync.hpp) and simulated backends; from the running thread only ----
  SimThread* self() const;
  std::string_view thread_name(const SimThread* t) const;
  void point(const char* what);
  // Blocks the running thread on `key` until woken (true) or past `deadline` (false).
  bool block(const void* key, std::optional<std::chrono::microseconds> deadline, const char* what);
  void wake_all(const void* key);
  bool wake_one(const void* key);  // which one, if several: the seed's choice
  void wake(SimThread* t);         // if it is blocked
  SimThread* spawn(std::string name, std::function<void()> body);
  void join(SimThread* t);

 private:
  class VirtualClock final : public Clock {
   public:
    explicit VirtualClock(const Scheduler& s) : s_(s) {}
    std::chrono::microseconds now() const override { return s_.now(); }

   private:
    const Scheduler& s_;
  };
  struct Timer {
    std::chrono::microseconds at;
    std::uint64_t id;
    std::function<void()> fn;
  };

  static void fiber_entry(void* thread);
  void thread_main(SimThread* t);
  // Hands the OS thread from `me` (which may have ended) to `next`, mutex_ not held.
  void hand_over(SimThread* me, SimThread* next);
  // With mutex_ held and `me`'s state set: picks who runs next (advancing time when nobody can),
  // hands over, and returns when `me` runs again (at once if `me` is chosen; never if it ended).
  void reschedule(std::unique_lock<std::mutex>& lock, SimThread* me);
  SimThread* choose(const std::vector<SimThread*>& runnable, SimThread* me);
  bool advance_time(std::unique_lock<std::mutex>& lock);
  void wake_timed_out();
  void abort_run(const std::string& why);
  void count_point();
  void throw_if_aborted(SimThread* me);

  ScheduleOptions options_;
  VirtualClock clock_{*this};
  mutable std::mutex mutex_;
  std::unique_ptr<detail::Fiber> host_;  // run(): the calling thread's own context, resumed at the end
  std::deque<std::unique_ptr<SimThread>> threads_;
  SimThread* running_ = nullptr;
  std::size_t live_ = 0;
  std::chrono::microseconds now_{0};
  std::multimap<std::pair<std::int64_t, std::uint64_t>, std::function<void()>> timers_;  // (at, id)
  std::map<std::uint64_t, std::pair<std::int64_t, std::uint64_t>> timer_index_;
  std::uint64_t next_timer_id_ = 1;
  SeededRandom random_;
  std::vector<std::uint64_t> change_points_;  // pct: the steps where the running thread is lowered
  std::uint64_t next_low_priority_ = 0;
  ScheduleReport report_;
  bool aborted_ = false;
  bool ran_ = false;
};

}  // namespace iocpsim::world
