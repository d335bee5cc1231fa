#include "iocpsim/devsim/asio_connection.hpp"

#include <utility>

#include <asio/write.hpp>

namespace iocpsim::devsim::detail {

namespace {

// Calls a copy: the callback may end the connection, which clears the callbacks it is running from.
template <class F, class... Args>
void fire(const F& callback, Args&&... args) {
  if (!callback) return;
  const F copy = callback;
  copy(std::forward<Args>(args)...);
}

}  // namespace

AsioConnection::AsioConnection(asio::ip::tcp::socket socket, ConnectionEvents events)
    : socket_(std::move(socket)), events_(std::move(events)) {}

void AsioConnection::start() {
  asio::error_code ignored;
  // Chunked and dripped writes should leave as separate segments, not wait to be coalesced.
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  read();
}

void AsioConnection::set_reading(bool on) {
  reading_ = on;
  if (!on) return;
  if (held_bytes_ > 0) {
    const auto n = std::exchange(held_bytes_, 0);
    fire(events_.on_data, buffer_.data(), n);
  }
  read();
}

void AsioConnection::read() {
  if (!reading_ || read_in_flight_ || !socket_.is_open()) return;
  read_in_flight_ = true;
  socket_.async_read_some(asio::buffer(buffer_), [self = shared_from_this()](const asio::error_code& ec,
                                                                             std::size_t n) { self->on_read(ec, n); });
}

void AsioConnection::on_read(const asio::error_code& ec, std::size_t n) {
  read_in_flight_ = false;
  if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
  if (ending_ == Ending::graceful) {
    // Closing: bytes are discarded; the peer's FIN (or an error) ends it. Draining starts once our
    // own FIN is out, so a read that completes before then is simply dropped.
    if (!write_shut_) return;
    if (ec) return close();
    return drain_until_eof();
  }
  if (ec == asio::error::eof) {
    fire(events_.on_eof);
    return;
  }
  if (ec) {
    fire(events_.on_lost, ec.message());
    close();
    return;
  }
  if (!reading_) {
    // Reading stopped while this read was in flight: keep its bytes until reading resumes.
    held_bytes_ = n;
    return;
  }
  fire(events_.on_data, buffer_.data(), n);
  read();
}

void AsioConnection::send(std::vector<std::uint8_t> bytes) {
  if (write_shut_ || ending_ != Ending::none || !socket_.is_open()) return;
  queued_bytes_ += bytes.size();
  writes_.push_back(std::move(bytes));
  write();
}

void AsioConnection::write() {
  if (write_in_flight_ || !socket_.is_open()) return;
  if (writes_.empty()) return on_write_queue_empty();
  write_in_flight_ = true;
  asio::async_write(socket_, asio::buffer(writes_.front()),
                    [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
                      self->write_in_flight_ = false;
                      if (ec == asio::error::operation_aborted || !self->socket_.is_open()) return;
                      if (ec) {
                        fire(self->events_.on_lost, ec.message());
                        self->close();
                        return;
                      }
                      self->queued_bytes_ -= self->writes_.front().size();
                      self->writes_.pop_front();
                      fire(self->events_.on_written, n);
                      self->write();
                    });
}

void AsioConnection::on_write_queue_empty() {
  if (ending_ == Ending::none || write_shut_) return;
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  write_shut_ = true;
  if (ending_ == Ending::graceful) drain_until_eof();
}

void AsioConnection::close_gracefully() {
  events_ = {};
  ending_ = Ending::graceful;
  write();
}

void AsioConnection::shut_down_writing() {
  ending_ = Ending::half_close;
  write();
}

void AsioConnection::drain_until_eof() {
  reading_ = true;
  read();  // completions come back to on_read, which sees ending_ == graceful
}

void AsioConnection::reset() {
  events_ = {};
  writes_.clear();
  queued_bytes_ = 0;
  asio::error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

void AsioConnection::close() {
  events_ = {};
  asio::error_code ignored;
  socket_.close(ignored);
}

}  // namespace iocpsim::devsim::detail
