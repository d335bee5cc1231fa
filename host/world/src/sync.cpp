#include "iocpsim/world/sync.hpp"

#include <utility>

#ifdef _WIN32
#include <windows.h>
#endif

#include "iocpsim/world/scheduler.hpp"
#include "sim_thread.hpp"

namespace iocpsim::world {
namespace detail {
namespace {
thread_local Scheduler* tls_scheduler = nullptr;
thread_local SimThread* tls_thread = nullptr;
}  // namespace

SimThread* current_sim_thread() noexcept { return tls_thread; }

void set_current(Scheduler* s, SimThread* t) noexcept {
  tls_scheduler = s;
  tls_thread = t;
}
}  // namespace detail

Scheduler* current_scheduler() noexcept { return detail::tls_scheduler; }

std::uint32_t& thread_last_error() noexcept {
  if (SimThread* t = detail::tls_thread) return t->last_error;
  thread_local std::uint32_t outside_a_world = 0;
  return outside_a_world;
}

void yield_point(const char* what) noexcept {
  if (Scheduler* s = current_scheduler()) {
    try {
      s->point(what);
    } catch (const SimulationAborted&) {
      // noexcept: the thread unwinds from its next wait instead
    }
  }
}

// On Windows a caller reads its last error after the call that failed, and code between the two
// may take a lock: the fault shim's bookkeeping does, after every call it passes on. Taking or
// giving back a lock and waking or waiting on a condition variable therefore leave the thread's
// last error as it was. The runtime's contended paths call into Win32 and do change it (under
// Wine, measured: a pending WSARecv's 997 read back as 0, and the engine took the receive for a
// success with no packet to follow). Elsewhere there is no such value to keep.
namespace {
class KeepLastError {
 public:
#ifdef _WIN32
  KeepLastError() : saved_(::GetLastError()) {}
  ~KeepLastError() { ::SetLastError(saved_); }

 private:
  DWORD saved_;
#else
  KeepLastError() = default;
#endif
 public:
  KeepLastError(const KeepLastError&) = delete;
  KeepLastError& operator=(const KeepLastError&) = delete;
};
}  // namespace

// ---- Mutex ----

void Mutex::lock() {
  Scheduler* s = current_scheduler();
  if (s == nullptr) {
    [[maybe_unused]] const KeepLastError keep;
    real_.lock();
    return;
  }
  s->point("lock");
  while (sim_owner_ != nullptr) s->block(this, std::nullopt, "lock");
  sim_owner_ = s->self();
}

void Mutex::unlock() {
  Scheduler* s = current_scheduler();
  if (s == nullptr) {
    [[maybe_unused]] const KeepLastError keep;
    real_.unlock();
    return;
  }
  sim_owner_ = nullptr;
  s->wake_all(this);
}

bool Mutex::try_lock() {
  Scheduler* s = current_scheduler();
  if (s == nullptr) {
    [[maybe_unused]] const KeepLastError keep;
    return real_.try_lock();
  }
  s->point("try_lock");
  if (sim_owner_ != nullptr) return false;
  sim_owner_ = s->self();
  return true;
}

// ---- CondVar ----

std::chrono::microseconds CondVar::now() {
  if (Scheduler* s = current_scheduler()) return s->now();
  return SteadyClock().now();
}

void CondVar::notify_one() {
  if (Scheduler* s = current_scheduler()) {
    s->wake_one(&sim_key_);
    return;
  }
  [[maybe_unused]] const KeepLastError keep;
  real_.notify_one();
}

void CondVar::notify_all() {
  if (Scheduler* s = current_scheduler()) {
    s->wake_all(&sim_key_);
    return;
  }
  [[maybe_unused]] const KeepLastError keep;
  real_.notify_all();
}

namespace {
// Gives the mutex back for the wait (no thread runs in between: nothing is missed), and takes it
// again before returning, even when the wait throws.
struct SimRelock {
  Scheduler& s;
  Mutex& m;
  SimThread*& owner;
  ~SimRelock() {
    while (owner != nullptr) s.block(&m, std::nullopt, "relock");
    owner = s.self();
  }
};
}  // namespace

void CondVar::wait(std::unique_lock<Mutex>& lock) {
  Scheduler* s = current_scheduler();
  if (s == nullptr) {
    [[maybe_unused]] const KeepLastError keep;
    std::unique_lock<std::mutex> inner(lock.mutex()->real_, std::adopt_lock);
    real_.wait(inner);
    inner.release();
    return;
  }
  Mutex& m = *lock.mutex();
  m.sim_owner_ = nullptr;
  s->wake_all(&m);
  SimRelock relock{*s, m, m.sim_owner_};
  s->block(&sim_key_, std::nullopt, "wait");
}

bool CondVar::wait_for(std::unique_lock<Mutex>& lock, std::chrono::microseconds timeout) {
  Scheduler* s = current_scheduler();
  if (s == nullptr) {
    [[maybe_unused]] const KeepLastError keep;
    std::unique_lock<std::mutex> inner(lock.mutex()->real_, std::adopt_lock);
    const bool woken = real_.wait_for(inner, timeout) == std::cv_status::no_timeout;
    inner.release();
    return woken;
  }
  Mutex& m = *lock.mutex();
  m.sim_owner_ = nullptr;
  s->wake_all(&m);
  SimRelock relock{*s, m, m.sim_owner_};
  return s->block(&sim_key_, s->now() + timeout, "wait_for");
}

// ---- Thread ----

Thread::Thread(std::string name, std::function<void()> body) {
  if (Scheduler* s = current_scheduler()) {
    scheduler_ = s;
    sim_ = s->spawn(std::move(name), std::move(body));
    return;
  }
  real_ = std::thread(std::move(body));
}

Thread::Thread(Thread&& other) noexcept
    : real_(std::move(other.real_)),
      sim_(std::exchange(other.sim_, nullptr)),
      scheduler_(std::exchange(other.scheduler_, nullptr)) {}

Thread& Thread::operator=(Thread&& other) noexcept {
  if (this != &other) {
    if (joinable()) join();
    real_ = std::move(other.real_);
    sim_ = std::exchange(other.sim_, nullptr);
    scheduler_ = std::exchange(other.scheduler_, nullptr);
  }
  return *this;
}

Thread::~Thread() {
  if (joinable()) join();
}

bool Thread::joinable() const noexcept { return sim_ != nullptr || real_.joinable(); }

void Thread::join() {
  if (sim_ != nullptr) {
    SimThread* t = std::exchange(sim_, nullptr);
    scheduler_->join(t);
    return;
  }
  real_.join();
}

void sleep_for(std::chrono::microseconds d) {
  if (Scheduler* s = current_scheduler()) {
    const int here = 0;
    s->block(&here, s->now() + d, "sleep");
    return;
  }
  std::this_thread::sleep_for(d);
}

}  // namespace iocpsim::world
