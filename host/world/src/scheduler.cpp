#include "iocpsim/world/scheduler.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <limits>
#include <stdexcept>

#include "sim_thread.hpp"

namespace iocpsim::world {

const char* to_string(Strategy s) noexcept {
  switch (s) {
    case Strategy::random:
      return "random";
    case Strategy::pct:
      return "pct";
  }
  return "?";
}

Scheduler::Scheduler(ScheduleOptions options) : options_(options), random_(stream_seed(options.seed, "scheduler")) {
  report_.strategy = options_.strategy;
  if (options_.strategy == Strategy::pct) {
    const std::uint64_t k = std::max<std::uint64_t>(options_.pct_steps_hint, 1);
    for (unsigned i = 1; i < options_.pct_depth; ++i) change_points_.push_back(1 + random_.next_u64() % k);
    std::sort(change_points_.begin(), change_points_.end());
  }
}

// A thread that never ended (a run abandoned half-way) keeps what its stack held: it is not
// resumed to unwind.
Scheduler::~Scheduler() = default;

std::chrono::microseconds Scheduler::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

SimThread* Scheduler::self() const { return detail::current_sim_thread(); }

std::string_view Scheduler::thread_name(const SimThread* t) const { return t->name; }

ScheduleReport Scheduler::run(std::function<void()> main) {
  std::unique_lock lock(mutex_);
  if (ran_) throw std::logic_error("Scheduler::run called twice");
  if (detail::current_sim_thread() != nullptr)
    throw std::logic_error("Scheduler::run: the thread is in a world already");
  ran_ = true;
  lock.unlock();
  host_ = detail::Fiber::for_this_thread();
  SimThread* first = spawn("main", std::move(main));
  lock.lock();
  running_ = first;
  lock.unlock();
  detail::set_current(this, first);
  detail::Fiber::switch_to(*host_, *first->fiber, false);  // back when the last thread ends
  detail::set_current(nullptr, nullptr);
  lock.lock();
  report_.end_time = now_;
  for (auto& t : threads_) t->fiber.reset();
  lock.unlock();
  host_.reset();
  return report_;
}

void Scheduler::adopt(std::string name) {
  std::unique_lock lock(mutex_);
  if (ran_) throw std::logic_error("Scheduler::adopt: this scheduler has run already");
  if (detail::current_sim_thread() != nullptr)
    throw std::logic_error("Scheduler::adopt: the thread is in a world already");
  ran_ = true;
  auto owned = std::make_unique<SimThread>();
  SimThread* t = owned.get();
  t->id = static_cast<std::uint32_t>(threads_.size());
  t->name = std::move(name);
  t->priority = options_.pct_depth + random_.next_u64() % 1'000'000'000;
  t->scheduler = this;
  t->fiber = detail::Fiber::for_this_thread();
  threads_.push_back(std::move(owned));
  ++live_;
  running_ = t;
  detail::set_current(this, t);
}

ScheduleReport Scheduler::release() {
  SimThread* me = detail::current_sim_thread();
  if (me == nullptr || running_ != me) throw std::logic_error("Scheduler::release: not the adopted thread");
  for (;;) {
    std::unique_lock lock(mutex_);
    if (live_ == 1) break;
    lock.unlock();
    try {
      block(&live_, std::nullopt, "release");
    } catch (const SimulationAborted&) {
      // a deadlock among the others: they unwind; wait on for them
    }
  }
  std::unique_lock lock(mutex_);
  me->state = SimThread::State::done;
  --live_;
  running_ = nullptr;
  report_.end_time = now_;
  detail::set_current(nullptr, nullptr);
  for (auto& t : threads_) t->fiber.reset();  // this one's last: on Windows the thread is a thread again
  lock.unlock();
  return report_;
}

SimThread* Scheduler::spawn(std::string name, std::function<void()> body) {
  std::unique_lock lock(mutex_);
  auto owned = std::make_unique<SimThread>();
  SimThread* t = owned.get();
  t->id = static_cast<std::uint32_t>(threads_.size());
  t->name = std::move(name);
  t->body = std::move(body);
  t->priority = options_.pct_depth + random_.next_u64() % 1'000'000'000;  // above every change point's
  t->scheduler = this;
  t->fiber = detail::Fiber::create(&Scheduler::fiber_entry, t);
  threads_.push_back(std::move(owned));
  ++live_;
  SimThread* me = detail::current_sim_thread();
  if (me != nullptr) {
    count_point();
    reschedule(lock, me);  // the new thread may run first
  }
  return t;
}

void Scheduler::fiber_entry(void* thread) {
  auto* t = static_cast<SimThread*>(thread);
  t->scheduler->thread_main(t);
}

// Never returns: an ended thread's fiber switches away for good.
void Scheduler::thread_main(SimThread* t) {
  try {
    if (!aborted_) t->body();
  } catch (const SimulationAborted&) {
    // the run was ended; unwinding was the point
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    if (report_.failure.empty()) report_.failure = "thread " + t->name + " ended with an exception: " + e.what();
  } catch (...) {
    std::lock_guard lock(mutex_);
    if (report_.failure.empty()) report_.failure = "thread " + t->name + " ended with an exception";
  }
  std::unique_lock lock(mutex_);
  t->state = SimThread::State::done;
  t->body = nullptr;
  --live_;
  for (auto& other : threads_) {
    if (other->state == SimThread::State::blocked && (other->blocked_on == t || other->blocked_on == &live_)) {
      other->state = SimThread::State::runnable;
      other->blocked_on = nullptr;
    }
  }
  if (live_ == 0) {  // run(): nobody is left to hand over to but the caller
    running_ = nullptr;
    lock.unlock();
    detail::Fiber::switch_to(*t->fiber, *host_, true);
  }
  reschedule(lock, t);
}

void Scheduler::count_point() {
  if (++report_.points > options_.max_points && !aborted_) {
    abort_run("livelock: more than " + std::to_string(options_.max_points) + " scheduling points");
  }
}

// A thread of an ended run unwinds from its next wait, once; what it waits for while unwinding
// (a destructor taking a lock) is granted as the schedule allows.
void Scheduler::throw_if_aborted(SimThread* me) {
  if (me->aborted && std::uncaught_exceptions() == 0) {
    me->aborted = false;
    throw SimulationAborted{report_.failure};
  }
}

void Scheduler::point(const char* /*what: for a debugger*/) {
  SimThread* me = detail::current_sim_thread();
  std::unique_lock lock(mutex_);
  count_point();
  reschedule(lock, me);
  throw_if_aborted(me);
}

bool Scheduler::block(const void* key, std::optional<std::chrono::microseconds> deadline, const char* /*what*/) {
  SimThread* me = detail::current_sim_thread();
  std::unique_lock lock(mutex_);
  throw_if_aborted(me);
  count_point();
  me->state = SimThread::State::blocked;
  me->blocked_on = key;
  me->wake_at = deadline;
  me->timed_out = false;
  reschedule(lock, me);
  throw_if_aborted(me);
  return !me->timed_out;
}

void Scheduler::wake(SimThread* t) {
  std::lock_guard lock(mutex_);
  if (t->state != SimThread::State::blocked) return;
  t->state = SimThread::State::runnable;
  t->blocked_on = nullptr;
}

void Scheduler::wake_all(const void* key) {
  std::lock_guard lock(mutex_);
  for (auto& t : threads_) {
    if (t->state == SimThread::State::blocked && t->blocked_on == key) {
      t->state = SimThread::State::runnable;
      t->blocked_on = nullptr;
    }
  }
}

bool Scheduler::wake_one(const void* key) {
  std::lock_guard lock(mutex_);
  std::vector<SimThread*> waiting;
  for (auto& t : threads_) {
    if (t->state == SimThread::State::blocked && t->blocked_on == key) waiting.push_back(t.get());
  }
  if (waiting.empty()) return false;
  SimThread* t = waiting[waiting.size() == 1 ? 0 : random_.next_u64() % waiting.size()];
  t->state = SimThread::State::runnable;
  t->blocked_on = nullptr;
  return true;
}

void Scheduler::join(SimThread* t) {
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (t->state == SimThread::State::done) return;
    }
    block(t, std::nullopt, "join");
  }
}

std::uint64_t Scheduler::add_timer(std::chrono::microseconds at, std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_timer_id_++;
  const auto key = std::make_pair(std::max(at, now_).count(), id);
  timers_.emplace(key, std::move(fn));
  timer_index_.emplace(id, key);
  return id;
}

bool Scheduler::cancel_timer(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  const auto it = timer_index_.find(id);
  if (it == timer_index_.end()) return false;
  timers_.erase(it->second);
  timer_index_.erase(it);
  return true;
}

void Scheduler::wake_timed_out() {
  for (auto& t : threads_) {
    if (t->state == SimThread::State::blocked && t->wake_at && *t->wake_at <= now_) {
      t->state = SimThread::State::runnable;
      t->blocked_on = nullptr;
      t->timed_out = true;
    }
  }
}

// Nobody can run: moves time to the next timer or timed wait and fires what is due. False when
// there is nothing to wait for.
bool Scheduler::advance_time(std::unique_lock<std::mutex>& lock) {
  std::optional<std::chrono::microseconds> next;
  if (!timers_.empty()) next = std::chrono::microseconds{timers_.begin()->first.first};
  for (auto& t : threads_) {
    if (t->state == SimThread::State::blocked && t->wake_at) next = next ? std::min(*next, *t->wake_at) : *t->wake_at;
  }
  if (!next) return false;
  now_ = std::max(now_, *next);
  while (!timers_.empty() && timers_.begin()->first.first <= now_.count()) {
    auto node = timers_.extract(timers_.begin());
    timer_index_.erase(node.key().second);
    lock.unlock();  // the timer may call wake(), add_timer(): it runs for the thread at hand
    node.mapped()();
    lock.lock();
  }
  wake_timed_out();
  return true;
}

void Scheduler::abort_run(const std::string& why) {
  aborted_ = true;
  if (report_.failure.empty()) report_.failure = why;
  for (auto& t : threads_) {
    if (t->state == SimThread::State::blocked) {
      t->state = SimThread::State::runnable;
      t->blocked_on = nullptr;
      t->aborted = true;
    } else if (t->state == SimThread::State::runnable) {
      t->aborted = true;
    }
  }
}

SimThread* Scheduler::choose(const std::vector<SimThread*>& runnable, SimThread* me) {
  const bool me_can_run = me->state == SimThread::State::runnable;
  if (runnable.size() > 1) ++report_.decisions;
  SimThread* next = nullptr;
  if (options_.strategy == Strategy::pct) {
    while (next_low_priority_ < change_points_.size() && change_points_[next_low_priority_] <= report_.points) {
      if (me_can_run) me->priority = next_low_priority_;  // below every initial priority
      ++next_low_priority_;
    }
    next = *std::max_element(runnable.begin(), runnable.end(),
                             [](const SimThread* a, const SimThread* b) { return a->priority < b->priority; });
  } else if (me_can_run && (runnable.size() == 1 || random_.next_unit() >= options_.switch_probability)) {
    next = me;
  } else {
    next = runnable[runnable.size() == 1 ? 0 : random_.next_u64() % runnable.size()];
  }
  if (runnable.size() > 1) report_.trace_hash = (report_.trace_hash ^ (next->id + 1)) * 0x100000001b3ULL;
  if (next != me) ++report_.switches;
  return next;
}

void Scheduler::reschedule(std::unique_lock<std::mutex>& lock, SimThread* me) {
  SimThread* next = nullptr;
  while (next == nullptr) {
    wake_timed_out();
    std::vector<SimThread*> runnable;
    for (auto& t : threads_) {
      if (t->state == SimThread::State::runnable) runnable.push_back(t.get());
    }
    if (!runnable.empty()) {
      next = choose(runnable, me);
      break;
    }
    if (advance_time(lock)) continue;
    std::string blocked;
    for (auto& t : threads_) {
      if (t->state == SimThread::State::blocked) blocked += (blocked.empty() ? "" : ", ") + t->name;
    }
    abort_run("deadlock at " + std::to_string(now_.count()) +
              " us: every thread is blocked with nothing to wait for (" + blocked + ")");
  }
  running_ = next;
  if (next == me) return;
  lock.unlock();
  hand_over(me, next);
  lock.lock();
}

void Scheduler::hand_over(SimThread* me, SimThread* next) {
  detail::set_current(this, next);
  detail::Fiber::switch_to(*me->fiber, *next->fiber, me->state == SimThread::State::done);
  detail::set_current(this, me);
}

}  // namespace iocpsim::world
