#include "iocpsim/devsim/asio_device.hpp"

#include <algorithm>

#include <asio/post.hpp>
#include <nlohmann/json.hpp>

#include "iocpsim/devsim/record.hpp"

namespace iocpsim::devsim {

using asio::ip::tcp;

namespace {

// Linux admits backlog + 1 connections into the accept queue and, with the default
// net.ipv4.tcp_abort_on_overflow = 0, drops SYNs to a listener whose queue is full: so backlog 0
// plus one connection nobody accepts holds every further connect in SYN-SENT.
constexpr int kWithholdingBacklog = 0;

// Where the device can reach its own listener (a wildcard bind is reached through loopback).
tcp::endpoint reachable(const tcp::endpoint& bound) {
  if (!bound.address().is_unspecified()) return bound;
  const auto loopback = bound.address().is_v6() ? asio::ip::address(asio::ip::address_v6::loopback())
                                                : asio::ip::address(asio::ip::address_v4::loopback());
  return {loopback, bound.port()};
}

}  // namespace

#ifdef _WIN32
bool handshake_withholding_supported() noexcept { return false; }
#else
bool handshake_withholding_supported() noexcept { return true; }
#endif

std::optional<std::string> refusal_counting_unavailable() { return detail::SynWatch::unavailable(); }

AsioDevice::AsioDevice(asio::io_context& io, const DeviceSpec& spec, const Clock& clock, std::uint64_t seed,
                       LogSink log)
    : io_(io),
      clock_(clock),
      log_(log),
      device_(spec, clock, seed, std::move(log)),
      acceptor_(io),
      timer_(io),
      syn_watch_(io),
      plug_(io) {}

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
  plug_.close(ignored);
  syn_watch_.stop();
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

void AsioDevice::run_now(const nlohmann::json& steps, const std::string& path) {
  if (stopped_) return;
  device_.run_now(steps, path);
  process();
}

void AsioDevice::replace_script(const nlohmann::json& steps, const std::string& path) {
  if (stopped_) return;
  device_.replace_script(steps, path);
  process();
}

nlohmann::json AsioDevice::describe() const {
  nlohmann::json connection = nullptr;
  if (current_) {
    connection = {{"reading", device_.is_reading()}, {"send_queue_bytes", current_->queued_bytes()}};
  }
  return {{"name", device_.name()},       {"address", endpoint_.address().to_string()},
          {"port", endpoint_.port()},     {"connected", current_ != nullptr},
          {"connection", connection},     {"script", device_.script_state_name()},
          {"failure", device_.failure()}, {"control_steps_pending", device_.control_steps_pending()},
          {"seed", device_.seed()},       {"record", device_.record().to_json()}};
}

void AsioDevice::process() {
  if (stopped_) return;
  for (auto& action : device_.take_actions()) carry_out(action);
  if (current_) current_->set_reading(device_.wants_input());
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
    case ConnectionOp::shutdown_write:
      current_->shut_down_writing();
      break;
    case ConnectionOp::pause_reading:
      current_->set_reading(false);
      break;
    case ConnectionOp::resume_reading:
      current_->set_reading(true);
      break;
  }
}

void AsioDevice::update_listener() {
  // The watch starts before the port stops listening, so that no refused SYN goes unseen.
  if (device_.counts_refusals()) {
    watch_refusals();
  } else {
    syn_watch_.stop();
  }
  const auto mode = device_.listen_mode();
  if (mode == ListenMode::refusing) return refuse();
  if (!listening_) listen();
  if (mode == ListenMode::withholding) return withhold();
  if (withholding_) stop_withholding();
  if (mode == ListenMode::accepting && !current_) return accept();
  cancel_accept();  // holding: leave new connections in the backlog
}

void AsioDevice::watch_refusals() {
  if (syn_watch_.active()) return;
  const auto error = syn_watch_.start(endpoint_, [this](std::size_t syns) {
    if (stopped_) return;
    // Straight on to process(): the last counted refusal makes the device listen again.
    device_.on_refused_attempts(syns);
    process();
  });
  if (error) return device_.on_refusal_counting_failed(*error);
  log({{"event", "counting_refusals"}});
}

void AsioDevice::cancel_accept() {
  if (!accept_in_flight_) return;
  asio::error_code ignored;
  acceptor_.cancel(ignored);
}

void AsioDevice::withhold() {
  cancel_accept();
  if (withholding_) return;
  withholding_ = true;
  acceptor_.listen(kWithholdingBacklog);
  plug_ = tcp::socket(io_);
  plug_.async_connect(reachable(endpoint_), [this](const asio::error_code& ec) {
    if (ec == asio::error::operation_aborted || stopped_) return;
    if (ec) return log({{"event", "withholding_failed"}, {"error", ec.message()}});
    plugged_ = true;
    log({{"event", "withholding_handshakes"}});
  });
  // A non-blocking connect has its local port from the start; keep it to recognise the plug later.
  asio::error_code ec;
  const auto plug_end = plug_.local_endpoint(ec);
  if (!ec) plug_endpoints_.push_back(plug_end);
}

void AsioDevice::stop_withholding() {
  withholding_ = false;
  plugged_ = false;
  asio::error_code ignored;
  // Close the plug first: the listener's next SYN must not be the plug's own retransmission.
  plug_.close(ignored);
  // The plug's server end stays queued (on_accepted discards it), but the queue is no longer full:
  // the peer's next SYN retransmission completes its connect.
  acceptor_.listen();
  log({{"event", "completing_handshakes"}});
}

bool AsioDevice::is_plug(const tcp::socket& socket) {
  asio::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  const auto it = std::find(plug_endpoints_.begin(), plug_endpoints_.end(), peer);
  if (ec || it == plug_endpoints_.end()) return false;
  plug_endpoints_.erase(it);
  return true;
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
  acceptor_.close(ignored);  // drops the queued connections, a plug's server end among them
  plug_.close(ignored);
  plug_endpoints_.clear();
  withholding_ = plugged_ = false;
  acceptor_.open(endpoint_.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint_);
  listening_ = false;
  log({{"event", "refusing"}});
}

void AsioDevice::accept() {
  if (accept_in_flight_) return;
  accept_in_flight_ = true;
  acceptor_.async_accept(
      [this](const asio::error_code& ec, tcp::socket socket) { on_accepted(ec, std::move(socket)); });
}

void AsioDevice::on_accepted(const asio::error_code& ec, tcp::socket socket) {
  accept_in_flight_ = false;
  if (stopped_) return;
  if (ec) {
    if (ec != asio::error::operation_aborted) log({{"event", "accept_failed"}, {"error", ec.message()}});
    return process();
  }
  if (is_plug(socket)) return process();  // the plug's queued server end: nobody's connection
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
    process();
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
