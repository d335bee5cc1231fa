#include "iocpsim/devsim/syn_watch.hpp"

#ifdef __linux__
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <asio/posix/stream_descriptor.hpp>
#endif

namespace iocpsim::devsim::detail {

#ifdef __linux__

namespace {

constexpr std::uint8_t kTcpSyn = 0x02;
constexpr std::uint8_t kTcpAck = 0x10;
constexpr int kReceiveBuffer = 4 << 20;  // room for bursts of unrelated TCP traffic between reads

std::string raw_socket_error(int error) {
  if (error == EPERM || error == EACCES) {
    return "counting refused connections needs a raw socket, which needs "
           "CAP_NET_RAW (run as root, or "
           "`setcap cap_net_raw+ep` the executable)";
  }
  return std::string(
             "counting refused connections needs a raw socket: "
             "socket(SOCK_RAW, IPPROTO_TCP): ") +
         std::strerror(error);
}

std::uint16_t read_be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

}  // namespace

struct SynWatch::Impl {
  explicit Impl(asio::io_context& io) : descriptor(io) {}

  void wait() {
    descriptor.async_wait(asio::posix::stream_descriptor::wait_read, [this](const asio::error_code& ec) {
      if (ec || !descriptor.is_open()) return;
      const auto syns = drain();
      // The callback may stop the watch; wait again only if it did not.
      if (syns > 0) on_syns(syns);
      if (descriptor.is_open()) wait();
    });
  }

  // Reads every segment queued now; counts the SYNs (SYN set, ACK clear) to the watched port.
  std::size_t drain() {
    std::size_t syns = 0;
    while (true) {
      const auto n = ::recv(descriptor.native_handle(), packet.data(), packet.size(), MSG_DONTWAIT);
      if (n <= 0) break;
      if (is_syn_to_us(packet.data(), static_cast<std::size_t>(n))) ++syns;
    }
    return syns;
  }

  bool is_syn_to_us(const std::uint8_t* p, std::size_t n) const {
    std::size_t tcp = 0;
    if (v4) {
      // An IPv4 raw socket receives the IP header too; the TCP header follows its IHL words.
      if (n < 20 || (p[0] >> 4) != 4) return false;
      tcp = static_cast<std::size_t>(p[0] & 0x0F) * 4;
      if (!address.is_unspecified() && std::memcmp(p + 16, address.to_v4().to_bytes().data(), 4) != 0) return false;
    }
    // An IPv6 raw socket receives the TCP header alone.
    if (n < tcp + 14) return false;
    const std::uint8_t flags = p[tcp + 13];
    return read_be16(p + tcp + 2) == port && (flags & kTcpSyn) != 0 && (flags & kTcpAck) == 0;
  }

  asio::posix::stream_descriptor descriptor;
  std::array<std::uint8_t, 65536> packet{};
  std::function<void(std::size_t)> on_syns;
  asio::ip::address address;
  std::uint16_t port = 0;
  bool v4 = true;
};

SynWatch::SynWatch(asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {}
SynWatch::~SynWatch() { stop(); }

std::optional<std::string> SynWatch::unavailable() {
  const int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
  if (fd < 0) return raw_socket_error(errno);
  ::close(fd);
  return std::nullopt;
}

std::optional<std::string> SynWatch::start(const asio::ip::tcp::endpoint& endpoint,
                                           std::function<void(std::size_t)> on_syns) {
  stop();
  impl_->v4 = endpoint.address().is_v4();
  const int fd = ::socket(impl_->v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return raw_socket_error(errno);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  impl_->descriptor.assign(fd);
  impl_->address = endpoint.address();
  impl_->port = endpoint.port();
  impl_->on_syns = std::move(on_syns);
  impl_->wait();
  return std::nullopt;
}

void SynWatch::stop() {
  if (!impl_->descriptor.is_open()) return;
  asio::error_code ignored;
  impl_->descriptor.close(ignored);
}

bool SynWatch::active() const { return impl_->descriptor.is_open(); }

#else  // not Linux

struct SynWatch::Impl {};

SynWatch::SynWatch(asio::io_context&) : impl_(std::make_unique<Impl>()) {}
SynWatch::~SynWatch() = default;

std::optional<std::string> SynWatch::unavailable() {
#ifdef _WIN32
  return "counting refused connections needs a raw socket that receives TCP "
         "segments; Windows raw sockets "
         "receive none";
#else
  return "counting refused connections needs a Linux raw socket that receives "
         "TCP segments";
#endif
}

std::optional<std::string> SynWatch::start(const asio::ip::tcp::endpoint&, std::function<void(std::size_t)>) {
  return unavailable();
}
void SynWatch::stop() {}
bool SynWatch::active() const { return false; }

#endif

}  // namespace iocpsim::devsim::detail
