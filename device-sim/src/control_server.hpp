// device-sim's control API: HTTP on a loopback address, JSON in and out, so that someone else's
// test can make a device misbehave at a moment it chooses (device-sim/README.md, "The control API").
// The server runs on threads of its own; everything it does to a device is posted to the devices'
// io_context and waited for, so devices are only ever touched on their own thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "iocpsim/devsim/asio_device.hpp"

namespace iocpsim::devsim {

// Each device's recent log lines (the last `capacity`), numbered from 0 since device-sim started.
// Touched only on the io_context's thread.
class DeviceLogs {
 public:
  explicit DeviceLogs(std::size_t capacity = 10'000) : capacity_(capacity) {}
  void add(const std::string& device, const nlohmann::json& line);
  // {"lines": [...], "from": first number returned, "next": the number to ask for next time}.
  nlohmann::json since(const std::string& device, std::uint64_t from) const;

 private:
  struct Lines {
    std::uint64_t first = 0;  // number of lines.front()
    std::deque<nlohmann::json> lines;
  };
  std::size_t capacity_;
  std::map<std::string, Lines> by_device_;
};

class ControlServer {
 public:
  ControlServer(asio::io_context& io, const std::vector<std::unique_ptr<AsioDevice>>& devices, DeviceLogs& logs);
  ~ControlServer();  // stops
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds host:port (port 0 picks a free one) and serves; returns the port. Throws
  // std::runtime_error when the address cannot be bound.
  std::uint16_t start(const std::string& host, std::uint16_t port);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace iocpsim::devsim
