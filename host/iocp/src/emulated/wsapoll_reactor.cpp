// The reactor over WSAPoll (Windows): one thread, one-shot registrations, as the epoll one.
//
// WSAPoll has no registration to change while a thread waits, so the thread polls a snapshot of
// the armed sockets plus a wake-up socket (a UDP socket connected to itself on loopback): arming
// from another thread sends it a byte so the next snapshot includes the new interest. Polling
// evaluates the current readiness, so nothing that arrived before the arming is lost.
//
// Closing a socket that a WSAPoll call still holds is not defined by Winsock, so unwatch()
// waits until the poll thread has left a poll that included the socket.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "reactor.hpp"

namespace iocpsim::iocp::detail {
namespace {

// A loopback UDP socket connected to itself: a byte sent to it makes it readable.
SOCKET make_wake_socket() {
  const SOCKET s = ::WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, nullptr, 0, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int len = sizeof addr;
  u_long on = 1;
  if (s == INVALID_SOCKET || ::bind(s, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      ::connect(s, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::ioctlsocket(s, FIONBIO, &on) != 0) {
    if (s != INVALID_SOCKET) ::closesocket(s);
    throw std::runtime_error("WSAPoll reactor: no loopback wake-up socket");
  }
  return s;
}

std::uint32_t ready_bits(SHORT revents) {
  std::uint32_t bits = 0;
  if (revents & (POLLRDNORM | POLLRDBAND | POLLHUP)) bits |= kReadable;
  if (revents & POLLWRNORM) bits |= kWritable;
  if (revents & (POLLERR | POLLHUP | POLLNVAL)) bits |= kErrorOrHangup;
  return bits;
}

class WsaPollReactor final : public Reactor {
 public:
  WsaPollReactor(Handler handler, void* context)
      : handler_(handler), context_(context), wake_socket_(make_wake_socket()) {
    thread_ = std::thread([this] { run(); });
  }

  ~WsaPollReactor() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake();
    thread_.join();
    ::closesocket(wake_socket_);
  }

  WsaPollReactor(const WsaPollReactor&) = delete;
  WsaPollReactor& operator=(const WsaPollReactor&) = delete;

  int watch(HostSocket fd, std::uint64_t token) override {
    std::lock_guard lock(mutex_);
    entries_[fd] = Entry{token, 0};
    return 0;
  }

  void arm(HostSocket fd, std::uint64_t token, std::uint32_t interest_bits) override {
    {
      std::lock_guard lock(mutex_);
      entries_[fd] = Entry{token, interest_bits};
    }
    // The poll thread takes a new snapshot before it polls again anyway.
    if (std::this_thread::get_id() != thread_.get_id()) wake();
  }

  void unwatch(HostSocket fd) override {
    std::unique_lock lock(mutex_);
    entries_.erase(fd);
    if (std::this_thread::get_id() == thread_.get_id() || !in_current_poll(fd)) return;
    const std::uint64_t cycle = cycle_;
    lock.unlock();
    wake();
    lock.lock();
    left_poll_.wait(lock, [&] { return cycle_ != cycle; });
  }

 private:
  struct Entry {
    std::uint64_t token;
    std::uint32_t armed;  // ReadyBits; 0 once reported (one-shot)
  };
  struct Report {
    std::uint64_t token;
    std::uint32_t bits;
  };

  void wake() {
    const char byte = 1;
    ::send(wake_socket_, &byte, 1, 0);  // a full buffer already means a wake-up is on its way
  }

  void drain_wake_socket() {
    char bytes[64];
    while (::recv(wake_socket_, bytes, sizeof bytes, 0) > 0) {
    }
  }

  bool in_current_poll(HostSocket fd) const {
    if (!polling_) return false;
    for (const WSAPOLLFD& p : snapshot_) {
      if (static_cast<HostSocket>(p.fd) == fd) return true;
    }
    return false;
  }

  // Under the lock: the sockets to poll (the wake-up socket first). False when stopping.
  bool take_snapshot() {
    snapshot_.assign(1, WSAPOLLFD{wake_socket_, POLLRDNORM, 0});
    tokens_.assign(1, 0);
    for (const auto& [fd, entry] : entries_) {
      if (entry.armed == 0) continue;
      SHORT events = 0;
      if (entry.armed & kReadable) events |= POLLRDNORM;
      if (entry.armed & kWritable) events |= POLLWRNORM;
      snapshot_.push_back(WSAPOLLFD{static_cast<SOCKET>(fd), events, 0});
      tokens_.push_back(entry.token);
    }
    polling_ = !stopping_;
    return !stopping_;
  }

  // Under the lock: the sockets still armed under the same token are reported and disarmed.
  void collect_reports(std::vector<Report>& reports) {
    for (std::size_t i = 1; i < snapshot_.size(); ++i) {
      if (snapshot_[i].revents == 0) continue;
      const auto it = entries_.find(static_cast<HostSocket>(snapshot_[i].fd));
      if (it == entries_.end() || it->second.token != tokens_[i] || it->second.armed == 0) continue;
      it->second.armed = 0;
      reports.push_back(Report{tokens_[i], ready_bits(snapshot_[i].revents)});
    }
  }

  void run() {
    std::vector<Report> reports;
    std::unique_lock lock(mutex_);
    while (take_snapshot()) {
      std::vector<WSAPOLLFD> fds = snapshot_;
      lock.unlock();
      ::WSAPoll(fds.data(), static_cast<ULONG>(fds.size()), -1);
      if (fds[0].revents != 0) drain_wake_socket();
      lock.lock();
      snapshot_ = std::move(fds);
      polling_ = false;
      ++cycle_;
      left_poll_.notify_all();
      reports.clear();
      collect_reports(reports);
      lock.unlock();
      // Without the lock: the handler locks sockets and may arm them again.
      for (const Report& r : reports) handler_(context_, r.token, r.bits);
      lock.lock();
    }
  }

  Handler handler_;
  void* context_;
  SOCKET wake_socket_;
  std::mutex mutex_;
  std::condition_variable left_poll_;
  std::unordered_map<HostSocket, Entry> entries_;
  std::vector<WSAPOLLFD> snapshot_;
  std::vector<std::uint64_t> tokens_;
  bool polling_ = false;
  bool stopping_ = false;
  std::uint64_t cycle_ = 0;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Reactor> make_reactor(Reactor::Handler handler, void* context) {
  return std::make_unique<WsaPollReactor>(handler, context);
}

}  // namespace iocpsim::iocp::detail
