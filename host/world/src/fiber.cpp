#include "fiber.hpp"

#include <cxxabi.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <system_error>
#include <vector>

#ifdef _WIN32
#include <windows.h>
#else
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define IOCPSIM_FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IOCPSIM_FIBER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define IOCPSIM_FIBER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define IOCPSIM_FIBER_TSAN 1
#endif
#endif
#ifdef IOCPSIM_FIBER_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef IOCPSIM_FIBER_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace iocpsim::world::detail {
namespace {

// Reserved, not committed: the pages a fiber never touches cost nothing. A sanitizer's frames are
// several times larger.
#if defined(IOCPSIM_FIBER_ASAN) || defined(IOCPSIM_FIBER_TSAN)
constexpr std::size_t kStackBytes = std::size_t{8} << 20;
#else
constexpr std::size_t kStackBytes = std::size_t{1} << 20;
#endif

// The C++ runtime's per-thread exception state (libstdc++'s __cxa_eh_globals: the caught-exception
// stack and the count of exceptions being thrown). A fiber keeps its own across switches.
struct EhGlobals {
  void* caught_exceptions;
  unsigned int uncaught_exceptions;
};
EhGlobals& eh_globals() noexcept { return *reinterpret_cast<EhGlobals*>(abi::__cxa_get_globals()); }

#ifndef _WIN32
// A run starts and ends a handful of threads: their stacks are kept for the next run on this OS
// thread instead of being mapped and unmapped each time (with the page faults of a fresh stack).
// Not under a sanitizer, whose shadow of a stack that ended mid-frame would carry over.
class StackPool {
 public:
  static constexpr std::size_t kKept = 64;
#if defined(IOCPSIM_FIBER_ASAN) || defined(IOCPSIM_FIBER_TSAN)
  static constexpr bool kPooled = false;
#else
  static constexpr bool kPooled = true;
#endif
  StackPool() = default;
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;
  ~StackPool() {
    for (void* m : free_) ::munmap(m, bytes());
  }
  static std::size_t bytes() noexcept {
    static const std::size_t b = kStackBytes + static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return b;
  }
  void* take() {
    if (!free_.empty()) {
      void* m = free_.back();
      free_.pop_back();
      return m;
    }
    return map();
  }
  void give(void* m) noexcept {
    if (kPooled && free_.size() < kKept) {
      try {
        free_.push_back(m);
        return;
      } catch (...) {
      }
    }
    ::munmap(m, bytes());
  }

 private:
  static void* map() {
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#ifdef MAP_NORESERVE
    flags |= MAP_NORESERVE;
#endif
#ifdef MAP_STACK
    flags |= MAP_STACK;
#endif
    void* m = ::mmap(nullptr, bytes(), PROT_READ | PROT_WRITE, flags, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    // The guard: an overflow faults instead of overwriting what lies below.
    ::mprotect(m, static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)), PROT_NONE);
    return m;
  }
  std::vector<void*> free_;
};
thread_local StackPool t_stacks;
#endif

}  // namespace

struct Fiber::State {
  Entry entry = nullptr;
  void* arg = nullptr;
  EhGlobals eh{nullptr, 0};
#ifdef _WIN32
  LPVOID handle = nullptr;
  bool created = false;    // by CreateFiberEx: DeleteFiber it
  bool converted = false;  // the thread was made a fiber for it: make it a thread again
#else
  ucontext_t context{};
  void* mapping = nullptr;
#endif
#ifdef IOCPSIM_FIBER_ASAN
  void* fake_stack = nullptr;
  const void* stack_bottom = nullptr;
  std::size_t stack_bytes = 0;
#endif
#ifdef IOCPSIM_FIBER_TSAN
  void* tsan = nullptr;
  bool tsan_created = false;
#endif
};

namespace {

// Who switched last on this OS thread: the resumed fiber tells AddressSanitizer's bookkeeping
// which stack it came from.
thread_local Fiber::State* t_switched_from = nullptr;

void arrived(Fiber::State& self) noexcept {
#ifdef IOCPSIM_FIBER_ASAN
  const void* bottom = nullptr;
  std::size_t bytes = 0;
  __sanitizer_finish_switch_fiber(self.fake_stack, &bottom, &bytes);
  if (t_switched_from != nullptr) {
    t_switched_from->stack_bottom = bottom;
    t_switched_from->stack_bytes = bytes;
  }
#endif
  eh_globals() = self.eh;
}

[[noreturn]] void start(Fiber::State& self) noexcept {
  arrived(self);
  self.entry(self.arg);
  std::abort();  // an entry returned instead of switching away for good
}

#ifdef _WIN32
VOID CALLBACK fiber_main(LPVOID param) { start(*static_cast<Fiber::State*>(param)); }
#else
void fiber_main(unsigned hi, unsigned lo) {
  const std::uintptr_t p = (static_cast<std::uintptr_t>(hi) << 32) | lo;
  start(*reinterpret_cast<Fiber::State*>(p));  // NOLINT(performance-no-int-to-ptr)
}
#endif

}  // namespace

Fiber::Fiber() : state_(std::make_unique<State>()) {}

std::unique_ptr<Fiber> Fiber::for_this_thread() {
  std::unique_ptr<Fiber> f(new Fiber);
  [[maybe_unused]] State& s = *f->state_;
#ifdef _WIN32
  if (::IsThreadAFiber()) {
    // GetCurrentFiber reads gs:[0x20] inline; GCC's -Warray-bounds takes that for an access to
    // an empty array.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
    s.handle = ::GetCurrentFiber();
#pragma GCC diagnostic pop
  } else {
    s.handle = ::ConvertThreadToFiberEx(nullptr, FIBER_FLAG_FLOAT_SWITCH);
    if (s.handle == nullptr)
      throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), "ConvertThreadToFiberEx");
    s.converted = true;
  }
#endif
#ifdef IOCPSIM_FIBER_TSAN
  s.tsan = __tsan_get_current_fiber();
#endif
  return f;
}

std::unique_ptr<Fiber> Fiber::create(Entry entry, void* arg) {
  std::unique_ptr<Fiber> f(new Fiber);
  State& s = *f->state_;
  s.entry = entry;
  s.arg = arg;
#ifdef _WIN32
  s.handle = ::CreateFiberEx(64 * 1024, kStackBytes, FIBER_FLAG_FLOAT_SWITCH, fiber_main, &s);
  if (s.handle == nullptr)
    throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), "CreateFiberEx");
  s.created = true;
#else
  s.mapping = t_stacks.take();
  char* const stack = static_cast<char*>(s.mapping) + (StackPool::bytes() - kStackBytes);
  if (::getcontext(&s.context) != 0) throw std::system_error(errno, std::generic_category(), "getcontext");
  s.context.uc_stack.ss_sp = stack;
  s.context.uc_stack.ss_size = kStackBytes;
  s.context.uc_link = nullptr;
  const auto p = reinterpret_cast<std::uintptr_t>(&s);
  // makecontext passes int arguments: the pointer goes in two halves.
  ::makecontext(&s.context, reinterpret_cast<void (*)()>(&fiber_main), 2, static_cast<unsigned>(p >> 32),
                static_cast<unsigned>(p & 0xffffffffU));
#ifdef IOCPSIM_FIBER_ASAN
  s.stack_bottom = stack;
  s.stack_bytes = kStackBytes;
#endif
#endif
#ifdef IOCPSIM_FIBER_TSAN
  s.tsan = __tsan_create_fiber(0);
  s.tsan_created = true;
#endif
  return f;
}

Fiber::~Fiber() {
  State& s = *state_;
#ifdef IOCPSIM_FIBER_TSAN
  if (s.tsan_created) __tsan_destroy_fiber(s.tsan);
#endif
#ifdef _WIN32
  if (s.created) ::DeleteFiber(s.handle);
  if (s.converted) ::ConvertFiberToThread();
#else
  if (s.mapping != nullptr) t_stacks.give(s.mapping);
#endif
}

void Fiber::switch_to(Fiber& from, Fiber& to, bool from_ends) {
  State& f = *from.state_;
  State& t = *to.state_;
  f.eh = eh_globals();
  t_switched_from = &f;
#ifdef IOCPSIM_FIBER_ASAN
  __sanitizer_start_switch_fiber(from_ends ? nullptr : &f.fake_stack, t.stack_bottom, t.stack_bytes);
#else
  (void)from_ends;
#endif
#ifdef IOCPSIM_FIBER_TSAN
  __tsan_switch_to_fiber(t.tsan, 0);
#endif
#ifdef _WIN32
  ::SwitchToFiber(t.handle);
#else
  ::swapcontext(&f.context, &t.context);
#endif
  arrived(f);
}

}  // namespace iocpsim::world::detail
