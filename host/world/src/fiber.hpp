// An execution context on the calling OS thread: its own stack and the registers to resume it.
// The threads of a simulated run are fibers on the one OS thread that runs the scheduler, so a
// hand-over between them is a context switch in user space, not a wake-up of another OS thread
// through the kernel (which cost more than half of a small run's CPU).
//
// A switch also carries what the C++ runtime and the sanitizers keep per OS thread and a fiber
// must see as its own: the exception-handling globals (the caught-exception stack and
// std::uncaught_exceptions(), which a thread unwinding from SimulationAborted has raised when a
// destructor's lock hands over to another), AddressSanitizer's idea of the current stack, and
// ThreadSanitizer's current thread.
//
// POSIX: ucontext with an mmap'd stack under a guard page. Windows: Win32 fibers.
#pragma once

#include <cstddef>
#include <memory>

namespace iocpsim::world::detail {

class Fiber {
 public:
  using Entry = void (*)(void* arg);

  // The calling OS thread's own context, to switch away from and back to. On Windows the thread
  // becomes a fiber for as long as this lives (unless it was one already).
  static std::unique_ptr<Fiber> for_this_thread();
  // A new context that runs entry(arg) when first switched to. `entry` must never return: it
  // ends by switching away for good (switch_to with from_ends).
  static std::unique_ptr<Fiber> create(Entry entry, void* arg);

  ~Fiber();
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // From `from` (the running context) to `to`; returns when something switches back to `from`.
  // With from_ends, `from` is never resumed (its stack may be freed once another runs).
  static void switch_to(Fiber& from, Fiber& to, bool from_ends);

  struct State;  // the platform's part

 private:
  Fiber();
  std::unique_ptr<State> state_;
};

}  // namespace iocpsim::world::detail
