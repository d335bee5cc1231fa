// The reactor over epoll: one thread, edge-triggered, every socket watched for both directions
// from creation to close.
//
// Edge-triggered is safe here because the emulation always tries the syscall itself before it
// parks an operation, under the socket's mutex, and the handler runs under that same mutex: an
// edge that arrives while nothing is parked finds nothing to do, and whatever it signalled is
// picked up by the next issuing call's own attempt.
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

  int watch(int fd, std::uint64_t token) override {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = token;
    return ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
  }

  void unwatch(int fd) override { ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

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

std::unique_ptr<Reactor> make_epoll_reactor(Reactor::Handler handler, void* context) {
  return std::make_unique<EpollReactor>(handler, context);
}

}  // namespace iocpsim::iocp::detail
