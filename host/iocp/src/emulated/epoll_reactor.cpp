// The reactor over epoll: one thread, one-shot registrations.
//
// A socket is armed only while an operation is parked on it (EPOLLONESHOT, re-armed with
// EPOLL_CTL_MOD), so data that an issuing call reads at once never wakes this thread: with
// sockets armed all the time, every arriving segment cost a wake-up that found nothing to do.
// Re-arming evaluates the current readiness, so nothing that arrived between the syscall that
// would block and the arming is lost.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <thread>

#include "reactor.hpp"

namespace iocpsim::iocp::detail {
namespace {

constexpr std::uint64_t kStopToken = ~std::uint64_t{0};
constexpr int kEventsPerWait = 128;

class EpollReactor final : public Reactor {
 public:
  EpollReactor(Handler handler, void* context)
      : handler_(handler),
        context_(context),
        epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)),
        stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kStopToken;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &ev);
    thread_ = std::thread([this] { run(); });
  }

  ~EpollReactor() override {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(stop_fd_, &one, sizeof one);
    thread_.join();
    ::close(stop_fd_);
    ::close(epoll_fd_);
  }

  EpollReactor(const EpollReactor&) = delete;
  EpollReactor& operator=(const EpollReactor&) = delete;

  int watch(HostSocket fd, std::uint64_t token) override {
    epoll_event ev{};
    ev.events = EPOLLONESHOT;
    ev.data.u64 = token;
    return ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, static_cast<int>(fd), &ev) == 0 ? 0 : errno;
  }

  void arm(HostSocket fd, std::uint64_t token, std::uint32_t interest_bits) override {
    epoll_event ev{};
    ev.events = EPOLLONESHOT | EPOLLRDHUP;
    if (interest_bits & kReadable) ev.events |= EPOLLIN;
    if (interest_bits & kWritable) ev.events |= EPOLLOUT;
    ev.data.u64 = token;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, static_cast<int>(fd), &ev);
  }

  void unwatch(HostSocket fd) override { ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, static_cast<int>(fd), nullptr); }

 private:
  static std::uint32_t ready_bits(std::uint32_t events) {
    std::uint32_t bits = 0;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLPRI)) bits |= kReadable;
    if (events & EPOLLOUT) bits |= kWritable;
    if (events & (EPOLLERR | EPOLLHUP)) bits |= kErrorOrHangup;
    return bits;
  }

  void run() {
    epoll_event events[kEventsPerWait];
    for (;;) {
      const int n = ::epoll_wait(epoll_fd_, events, kEventsPerWait, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;
      }
      for (int i = 0; i < n; ++i) {
        if (events[i].data.u64 == kStopToken) return;
        handler_(context_, events[i].data.u64, ready_bits(events[i].events));
      }
    }
  }

  Handler handler_;
  void* context_;
  int epoll_fd_;
  int stop_fd_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Reactor> make_reactor(Reactor::Handler handler, void* context) {
  return std::make_unique<EpollReactor>(handler, context);
}

}  // namespace iocpsim::iocp::detail
