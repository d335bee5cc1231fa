// A plain asio TCP client for socket-level tests, run on the same io_context as the device so a
// test is single-threaded: it waits for events (bytes, EOF, a reset) by running handlers.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <vector>

#include <asio.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "iocpsim/devsim/message_json.hpp"
#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::devsim::testing {

// Runs handlers until `done` holds; a generous ceiling turns a hang into a failure.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  const auto ceiling = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done()) {
    if (std::chrono::steady_clock::now() > ceiling) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(50));
  }
  return true;
}

// Runs every handler that is ready, without waiting for more.
inline void run_ready(asio::io_context& io) {
  io.restart();
  while (io.poll() > 0) io.restart();
}

inline std::vector<std::uint8_t> encode_heartbeat(std::uint64_t nonce) {
  std::vector<std::uint8_t> frame(protocol::frame_size(protocol::Heartbeat{nonce}));
  frame.resize(protocol::encode(protocol::Heartbeat{nonce}, 1, frame).size);
  return frame;
}

class TestClient {
 public:
  explicit TestClient(asio::io_context& io) : socket_(io) {}
  explicit TestClient(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

  asio::error_code connect(const asio::ip::tcp::endpoint& to) {
    asio::error_code ec;
    socket_.connect(to, ec);  // loopback: the kernel completes it without the device running
    return ec;
  }
  void send(const protocol::Message& m) {
    std::vector<std::uint8_t> frame(protocol::frame_size(m));
    const auto r = protocol::encode(m, seq_++, frame);
    frame.resize(r.size);
    send_bytes(frame);
  }
  void send_bytes(const std::vector<std::uint8_t>& data) { asio::write(socket_, asio::buffer(data)); }

  void start_reading() {
    socket_.async_read_some(asio::buffer(buffer_), [this](const asio::error_code& ec, std::size_t n) {
      if (ec) {
        read_error = ec;
        return;
      }
      bytes.insert(bytes.end(), buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
      ++reads;
      decode({buffer_.data(), n});
      start_reading();
    });
  }

  bool has_frame(const std::string& type) const {
    for (const auto& f : frames) {
      if (f["type"] == type) return true;
    }
    return false;
  }
  asio::ip::tcp::socket& socket() { return socket_; }

  std::vector<nlohmann::json> frames;
  std::vector<std::uint8_t> bytes;
  std::size_t reads = 0;
  asio::error_code read_error;

 private:
  void decode(protocol::Bytes input) {
    while (!input.empty()) {
      const auto r = decoder_.put(input);
      input = input.subspan(r.consumed);
      if (r.status != protocol::DecodeStatus::frame) return;
      frames.push_back(message_to_json(r.frame.message));
    }
  }

  asio::ip::tcp::socket socket_;
  std::array<std::uint8_t, 4096> buffer_{};
  protocol::Decoder decoder_;
  std::uint32_t seq_ = 1;
};

}  // namespace iocpsim::devsim::testing
