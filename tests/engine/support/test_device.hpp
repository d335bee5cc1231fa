// A minimal device on the other end of the engine's connections, driven step by step from the
// test thread with blocking IoApi calls: accept, read the HELLO, answer, stream, reset, close.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "iocpsim/iocp/io_api.hpp"
#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::engine::testing {

// One frame as received, owning its bytes.
struct PeerFrame {
  protocol::MessageType type{};
  std::uint32_t seq = 0;
  std::uint16_t flags = 0;
  std::vector<std::uint8_t> raw;
  protocol::Message decode() const;  // views into `raw`
};

class TestDevice {
 public:
  TestDevice();  // listens on 127.0.0.1, any port
  ~TestDevice();
  TestDevice(const TestDevice&) = delete;
  TestDevice& operator=(const TestDevice&) = delete;

  std::uint16_t port() const { return port_; }

  void accept();              // the next connection replaces the current one
  PeerFrame read_frame();     // blocks; fails the test on EOF or a bad frame
  bool read_end_of_stream();  // true when recv returns 0 (the engine's FIN)
  void send(const protocol::Message& m, std::uint16_t flags = 0);
  void send_raw(std::span<const std::uint8_t> bytes);
  void handshake(std::uint8_t version = 1, std::uint32_t heartbeat_interval_ms = 0);
  void telemetry(std::uint16_t channel, std::uint32_t channel_seq, std::size_t sample_bytes = 64);
  void shutdown_send();  // FIN
  void reset();          // RST (SO_LINGER 0, then close)
  void close();
  void stop_listening();

 private:
  std::unique_ptr<iocp::IoApi> io_;
  SOCKET listener_ = INVALID_SOCKET;
  SOCKET conn_ = INVALID_SOCKET;
  std::uint16_t port_ = 0;
  std::uint32_t seq_ = 0;
  protocol::Decoder decoder_;
  std::vector<std::uint8_t> pending_;  // received, not yet decoded
};

}  // namespace iocpsim::engine::testing
