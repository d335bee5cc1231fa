// One accepted TCP connection under asio: a read loop that can pause, a write queue, and the three
// ways of ending (graceful close, half-close, reset). Used by AsioDevice; knows nothing of the model.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <asio/ip/tcp.hpp>

namespace iocpsim::devsim::detail {

struct ConnectionEvents {
  std::function<void(const std::uint8_t* data, std::size_t size)> on_data;
  std::function<void()> on_eof;
  std::function<void(const std::string& why)> on_lost;  // reset or another error
  std::function<void(std::size_t bytes)> on_written;
};

class AsioConnection : public std::enable_shared_from_this<AsioConnection> {
 public:
  AsioConnection(asio::ip::tcp::socket socket, ConnectionEvents events);

  void start();
  void set_reading(bool on);
  void send(std::vector<std::uint8_t> bytes);
  // Ends after everything queued is written: FIN; then reads (discarding) until the peer's FIN so
  // that unread bytes cannot turn the close into a reset; then closes. Events stop at once.
  void close_gracefully();
  void shut_down_writing();  // after everything queued is written; reading goes on
  void reset();              // SO_LINGER 0 and close: the peer gets RST; queued bytes are dropped
  void close();              // at once, for shutting the transport down
  bool is_open() const { return socket_.is_open(); }
  std::size_t queued_bytes() const { return queued_bytes_; }  // handed over, not yet written

 private:
  enum class Ending : std::uint8_t { none, half_close, graceful };

  void read();
  void on_read(const asio::error_code& ec, std::size_t n);
  void write();
  void on_write_queue_empty();
  void drain_until_eof();

  asio::ip::tcp::socket socket_;
  ConnectionEvents events_;
  std::array<std::uint8_t, 64 * 1024> buffer_{};
  std::deque<std::vector<std::uint8_t>> writes_;
  std::size_t held_bytes_ = 0;
  std::size_t queued_bytes_ = 0;  // read while reading was off, not yet delivered
  Ending ending_ = Ending::none;
  bool reading_ = true;
  bool read_in_flight_ = false;
  bool write_in_flight_ = false;
  bool write_shut_ = false;
};

}  // namespace iocpsim::devsim::detail
