// Sees the connection attempts a refusing port turns away. A refused SYN never reaches a socket (the kernel answers it
// with RST), so the device watches the wire instead: on Linux a raw socket (socket(AF_INET, SOCK_RAW, IPPROTO_TCP))
// receives a copy of every inbound TCP segment before TCP handles it, and the watch counts those with SYN set and ACK
// clear that go to the device's port. Raw sockets need CAP_NET_RAW; Windows raw sockets receive no TCP at all.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

namespace iocpsim::devsim::detail {

class SynWatch {
 public:
  explicit SynWatch(asio::io_context& io);
  ~SynWatch();
  SynWatch(const SynWatch&) = delete;
  SynWatch& operator=(const SynWatch&) = delete;

  // Why this process cannot watch for SYNs, or nullopt when it can.
  static std::optional<std::string> unavailable();

  // Starts watching for SYNs to `endpoint` (a wildcard address: to its port on any address). `on_syns` gets the number
  // of SYNs each time some have arrived. Returns why it cannot, if it cannot.
  std::optional<std::string> start(const asio::ip::tcp::endpoint& endpoint, std::function<void(std::size_t)> on_syns);
  void stop();
  bool active() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace iocpsim::devsim::detail
