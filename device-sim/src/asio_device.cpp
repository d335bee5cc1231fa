#include "iocpsim/devsim/asio_device.hpp"

#include <asio/post.hpp>

namespace iocpsim::devsim {

using asio::ip::tcp;

AsioDevice::AsioDevice(asio::io_context& io, const DeviceSpec& spec, const Clock& clock, std::uint64_t seed, LogSink log)
    : io_(io),
      clock_(clock),
      log_(log),
      device_(spec, clock, seed, std::move(log)),
      acceptor_(io),
      timer_(io) {}

AsioDevice::~AsioDevice() { stop(); }

void AsioDevice::log(nlohmann::json event) {
  if (!log_) return;
  nlohmann::json line = {{"t_us", clock_.now().count()}, {"device", device_.name()}};
  line.update(event);
  log_(line);
}

void AsioDevice::start(const tcp::endpoint& endpoint) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  endpoint_ = acceptor_.local_endpoint();
  log({{"event", "bound"}, {"address", endpoint_.address().to_string()}, {"port", endpoint_.port()}});
  device_.start();
  process();
}

void AsioDevice::stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::error_code ignored;
  acceptor_.close(ignored);
  timer_.cancel();
  if (current_) current_->close();
  current_.reset();
  for (auto& weak : ended_) {
    if (auto c = weak.lock()) c->close();
  }
  ended_.clear();
}

void AsioDevice::poke() {
  asio::post(io_, [this] {
    if (stopped_) return;
    device_.on_time();
    process();
  });
}

void AsioDevice::process() {
  if (stopped_) return;
  for (auto& action : device_.take_actions()) carry_out(action);
  if (current_) {
    current_->set_reading(device_.is_reading());
    device_.on_send_backlog(current_->queued_bytes());
  }
  update_listener();
  arm_timer();
  const bool idle_now = idle();
  if (idle_now && !was_idle_ && on_idle_) asio::post(io_, on_idle_);
  was_idle_ = idle_now;
}

void AsioDevice::carry_out(Action& action) {
  if (auto* send = std::get_if<SendBytes>(&action)) {
    if (current_) current_->send(std::move(send->bytes));
  } else {
    carry_out(std::get<ConnectionOp>(action));
  }
}

void AsioDevice::carry_out(ConnectionOp op) {
  if (!current_) return;
  switch (op) {
    case ConnectionOp::close_graceful:
      current_->close_gracefully();
      ended_.push_back(current_);
      current_.reset();
      break;
    case ConnectionOp::reset:
      current_->reset();
      current_.reset();
      break;
    case ConnectionOp::shutdown_write: current_->shut_down_writing(); break;
    case ConnectionOp::pause_reading: current_->set_reading(false); break;
    case ConnectionOp::resume_reading: current_->set_reading(true); break;
  }
}

void AsioDevice::update_listener() {
  const auto mode = device_.listen_mode();
  if (mode == ListenMode::refusing) return refuse();
  if (!listening_) listen();
  if (mode == ListenMode::accepting && !current_) return accept();
  if (accept_in_flight_) {
    asio::error_code ignored;
    acceptor_.cancel(ignored);  // holding: leave new connections in the backlog
  }
}

void AsioDevice::listen() {
  acceptor_.listen();
  listening_ = true;
  log({{"event", "listening"}, {"address", endpoint_.address().to_string()}, {"port", endpoint_.port()}});
}

void AsioDevice::refuse() {
  if (!listening_) return;
  // A socket cannot stop listening, so close it and bind a fresh one that never listens: the port
  // stays ours and connection attempts get RST.
  asio::error_code ignored;
  acceptor_.close(ignored);
  acceptor_.open(endpoint_.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint_);
  listening_ = false;
  log({{"event", "refusing"}});
}

void AsioDevice::accept() {
  if (accept_in_flight_) return;
  accept_in_flight_ = true;
  acceptor_.async_accept([this](const asio::error_code& ec, tcp::socket socket) { on_accepted(ec, std::move(socket)); });
}

void AsioDevice::on_accepted(const asio::error_code& ec, tcp::socket socket) {
  accept_in_flight_ = false;
  if (stopped_) return;
  if (ec) {
    if (ec != asio::error::operation_aborted) log({{"event", "accept_failed"}, {"error", ec.message()}});
    return process();
  }
  // A connection the device did not want any more (it began holding meanwhile) is still served.
  detail::ConnectionEvents events;
  events.on_data = [this](const std::uint8_t* data, std::size_t n) {
    device_.on_bytes({data, n});
    process();
  };
  events.on_eof = [this] {
    device_.on_peer_eof();
    process();
  };
  events.on_lost = [this](const std::string& why) {
    current_.reset();
    device_.on_connection_lost(why);
    process();
  };
  events.on_written = [this](std::size_t n) {
    device_.on_written(n);
    if (current_) device_.on_send_backlog(current_->queued_bytes());
  };
  current_ = std::make_shared<detail::AsioConnection>(std::move(socket), std::move(events));
  current_->start();
  device_.on_accepted();
  process();
}

void AsioDevice::arm_timer() {
  const auto deadline = device_.next_deadline();
  const auto generation = ++timer_generation_;
  timer_.cancel();
  if (!deadline) return;
  const auto delay = std::max(DeviceTime{0}, *deadline - clock_.now());
  timer_.expires_after(delay);
  timer_.async_wait([this, generation](const asio::error_code& ec) {
    if (ec || stopped_ || generation != timer_generation_) return;
    device_.on_time();
    process();
  });
}

}  // namespace iocpsim::devsim
