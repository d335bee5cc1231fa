#include "iocpsim/devsim/sim_device.hpp"

#include <algorithm>
#include <cstring>
#include <deque>

#include <nlohmann/json.hpp>

#include "iocpsim/devsim/spec.hpp"

namespace iocpsim::devsim {

namespace {

constexpr ULONG_PTR kListenerKey = 1;
constexpr ULONG_PTR kRefusalKey = 2;
constexpr ULONG_PTR kStopKey = 3;
constexpr std::size_t kReceiveBytes = 64 * 1024;
constexpr DWORD kAddressBytes = sizeof(sockaddr_in) + 16;  // what AcceptEx wants per address

sockaddr_in address_of(const std::string& host, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  unsigned b[4] = {0, 0, 0, 0};
  if (host != "0.0.0.0" && std::sscanf(host.c_str(), "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]) == 4) {
    a.sin_addr.s_addr = htonl((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]);
  }
  return a;
}

}  // namespace

// One connection: its socket, one receive and one send at a time, the bytes still to write.
struct SimDevice::Conn {
  SOCKET socket = INVALID_SOCKET;
  OVERLAPPED recv_ov{};
  OVERLAPPED send_ov{};
  bool recv_in_flight = false;
  bool send_in_flight = false;
  std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(kReceiveBytes);
  std::size_t held = 0;  // bytes a receive brought while reading was paused
  std::deque<std::vector<std::uint8_t>> writes;
  std::size_t written = 0;  // of writes.front()
  enum class Ending : std::uint8_t { none, graceful, half_close } ending = Ending::none;
  bool write_shut = false;
  bool eof = false;
  bool closed = false;
  bool reading = true;
};

SimDevice::SimDevice(iocp::SimIoApi& net, const DeviceSpec& spec, const Clock& clock, std::uint64_t seed, LogSink log)
    : net_(net),
      clock_(clock),
      log_(log),
      device_(spec, clock, seed, std::move(log)),
      accept_buffer_(2 * kAddressBytes) {}

SimDevice::~SimDevice() { stop(); }

void SimDevice::log(nlohmann::json event) {
  if (!log_) return;
  nlohmann::json line = {{"t_us", clock_.now().count()}, {"device", device_.name()}};
  line.update(event);
  log_(line);
}

bool SimDevice::start(const std::string& address, std::uint16_t port) {
  address_ = address;
  port_ = port;
  iocp_ = net_.CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  if (iocp_ == nullptr || !open_listener(iocp::SimListenMode::accepting)) {
    if (why_.empty()) why_ = "cannot create the device's completion port";
    return false;
  }
  log({{"event", "bound"}, {"address", address_}, {"port", port_}});
  thread_ = world::Thread("device " + device_.name(), [this] { run(); });
  return true;
}

// A fresh listener on the device's address: binding again after a close keeps the port the
// device's (the network frees a closed socket's port at once).
bool SimDevice::open_listener(iocp::SimListenMode mode) {
  const SOCKET s = net_.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  BOOL reuse = TRUE;
  net_.setsockopt(s, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const char*>(&reuse), sizeof reuse);
  sockaddr_in a = address_of(address_, port_);
  if (net_.bind(s, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || net_.listen(s, SOMAXCONN) != 0) {
    why_ = address_ + ":" + std::to_string(port_) + ": cannot bind and listen (error " +
           std::to_string(net_.WSAGetLastError()) + ")";
    net_.closesocket(s);
    return false;
  }
  int len = sizeof a;
  net_.getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  net_.CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), iocp_, kListenerKey, 0);
  net_.set_listen_mode(s, mode);
  listener_ = s;
  listener_mode_ = mode;
  refusals_watched_ = false;
  return true;
}

void SimDevice::stop() {
  if (!thread_.joinable()) return;
  net_.PostQueuedCompletionStatus(iocp_, 0, kStopKey, nullptr);
  thread_.join();
}

DWORD SimDevice::wait_ms() const {
  if (stopping_) return INFINITE;
  const auto deadline = device_.next_deadline();
  if (!deadline) return INFINITE;
  const auto left = *deadline - clock_.now();
  if (left <= DeviceTime{0}) return 0;
  // GQCS counts milliseconds: round up, so a step never runs before its time.
  return static_cast<DWORD>(std::min<std::int64_t>((left.count() + 999) / 1000, 0x7FFFFFFF));
}

void SimDevice::run() {
  device_.start();
  process();
  for (;;) {
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    OVERLAPPED* ov = nullptr;
    const BOOL ok = net_.GetQueuedCompletionStatus(iocp_, &bytes, &key, &ov, wait_ms());
    if (!ok && ov == nullptr) {
      if (net_.GetLastError() != WAIT_TIMEOUT) break;  // the port is gone
      device_.on_time();
      process();
      continue;
    }
    if (!dispatch(key, ov, ok != FALSE, bytes)) break;
  }
  net_.CloseHandle(iocp_);
  iocp_ = nullptr;
}

// False once the device has stopped and nothing of it is left in flight.
bool SimDevice::dispatch(ULONG_PTR key, OVERLAPPED* ov, bool ok, DWORD bytes) {
  if (key == kStopKey) {
    stopping_ = true;
    if (listener_ != INVALID_SOCKET) net_.closesocket(listener_);
    listener_ = INVALID_SOCKET;
    if (accept_in_flight_ && accept_socket_ != INVALID_SOCKET) net_.closesocket(accept_socket_);
    accept_socket_ = INVALID_SOCKET;
    for (auto& c : conns_) close(*c, false);
    current_ = nullptr;
  } else if (key == kRefusalKey) {
    if (!stopping_) device_.on_refused_attempts(bytes);
  } else if (key == kListenerKey) {
    on_accepted(ok);
  } else {
    Conn& c = *reinterpret_cast<Conn*>(key);
    if (ov == &c.recv_ov) on_read(c, ok, bytes);
    if (ov == &c.send_ov) on_written(c, ok, bytes);
  }
  reap();
  if (stopping_) return accept_in_flight_ || !conns_.empty();
  process();
  return true;
}

void SimDevice::process() {
  if (stopping_) return;
  for (auto& action : device_.take_actions()) carry_out(action);
  if (current_ != nullptr) {
    current_->reading = device_.wants_input();
    if (current_->reading && current_->held > 0 && !current_->recv_in_flight) {
      const std::size_t n = std::exchange(current_->held, 0);
      device_.on_bytes({current_->buffer.data(), n});
      return process();
    }
    read(*current_);
  }
  update_listener();
  reap();
  const bool idle_now = idle();
  if (idle_now && !was_idle_) log({{"event", "idle"}});
  was_idle_ = idle_now;
}

void SimDevice::carry_out(Action& action) {
  if (auto* send = std::get_if<SendBytes>(&action)) {
    if (current_ == nullptr || current_->write_shut || current_->ending != Conn::Ending::none) return;
    current_->writes.push_back(std::move(send->bytes));
    write(*current_);
  } else {
    carry_out(std::get<ConnectionOp>(action));
  }
}

void SimDevice::carry_out(ConnectionOp op) {
  if (current_ == nullptr) return;
  Conn& c = *current_;
  switch (op) {
    case ConnectionOp::close_graceful:
      c.ending = Conn::Ending::graceful;
      current_ = nullptr;  // the device hears no more of it
      write(c);
      break;
    case ConnectionOp::reset:
      current_ = nullptr;
      close(c, true);
      break;
    case ConnectionOp::shutdown_write:
      c.ending = Conn::Ending::half_close;
      write(c);
      break;
    case ConnectionOp::pause_reading:
      c.reading = false;
      break;
    case ConnectionOp::resume_reading:
      c.reading = true;
      break;
  }
}

void SimDevice::update_listener() {
  const ListenMode mode = device_.listen_mode();
  const iocp::SimListenMode want = mode == ListenMode::refusing      ? iocp::SimListenMode::refusing
                                   : mode == ListenMode::withholding ? iocp::SimListenMode::withholding
                                                                     : iocp::SimListenMode::accepting;
  if (want != listener_mode_) {
    cancel_accept();
    if (want == iocp::SimListenMode::refusing) {
      // A port that stops listening drops what its backlog held, as closing a real listener does.
      net_.closesocket(listener_);
      listener_ = INVALID_SOCKET;
      if (!open_listener(want)) return log({{"event", "listen_failed"}, {"error", why_}});
      log({{"event", "refusing"}});
    } else {
      net_.set_listen_mode(listener_, want);
      if (listener_mode_ == iocp::SimListenMode::withholding) log({{"event", "completing_handshakes"}});
      if (want == iocp::SimListenMode::withholding) log({{"event", "withholding_handshakes"}});
      if (listener_mode_ == iocp::SimListenMode::refusing) {
        log({{"event", "listening"}, {"address", address_}, {"port", port_}});
      }
      listener_mode_ = want;
    }
  }
  if (device_.counts_refusals() != refusals_watched_) {
    refusals_watched_ = device_.counts_refusals();
    net_.notify_refusals(listener_, refusals_watched_ ? iocp_ : nullptr, kRefusalKey);
    if (refusals_watched_) log({{"event", "counting_refusals"}});
  }
  if (mode == ListenMode::accepting && current_ == nullptr) return accept();
  cancel_accept();  // holding, withholding or serving: leave new connections in the backlog
}

void SimDevice::accept() {
  if (accept_in_flight_ || listener_ == INVALID_SOCKET) return;
  accept_socket_ = net_.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  accept_ov_ = OVERLAPPED{};
  DWORD received = 0;
  const BOOL ok = net_.AcceptEx(listener_, accept_socket_, accept_buffer_.data(), 0, kAddressBytes, kAddressBytes,
                                &received, &accept_ov_);
  if (ok || net_.WSAGetLastError() == WSA_IO_PENDING) {
    accept_in_flight_ = true;  // its packet comes either way (R1, R9)
    return;
  }
  log({{"event", "accept_failed"}, {"error", net_.WSAGetLastError()}});
  net_.closesocket(accept_socket_);
  accept_socket_ = INVALID_SOCKET;
}

void SimDevice::cancel_accept() {
  if (accept_in_flight_) net_.CancelIoEx(reinterpret_cast<HANDLE>(listener_), &accept_ov_);
}

void SimDevice::on_accepted(bool ok) {
  accept_in_flight_ = false;
  const SOCKET s = std::exchange(accept_socket_, INVALID_SOCKET);
  if (!ok || stopping_) {
    if (s != INVALID_SOCKET) net_.closesocket(s);
    return;
  }
  net_.setsockopt(s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, reinterpret_cast<const char*>(&listener_), sizeof listener_);
  auto conn = std::make_unique<Conn>();
  conn->socket = s;
  net_.CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), iocp_, reinterpret_cast<ULONG_PTR>(conn.get()), 0);
  // A connection the device did not want any more (it began holding meanwhile) is still served.
  current_ = conn.get();
  conns_.push_back(std::move(conn));
  device_.on_accepted();
}

void SimDevice::read(Conn& c) {
  const bool draining = c.ending == Conn::Ending::graceful && c.write_shut;
  if (c.closed || c.recv_in_flight || c.eof || c.held > 0 || !(c.reading || draining)) return;
  WSABUF buf{static_cast<ULONG>(c.buffer.size()), reinterpret_cast<char*>(c.buffer.data())};
  DWORD flags = 0;
  c.recv_ov = OVERLAPPED{};
  if (net_.WSARecv(c.socket, &buf, 1, nullptr, &flags, &c.recv_ov, nullptr) == 0 ||
      net_.WSAGetLastError() == WSA_IO_PENDING) {
    c.recv_in_flight = true;
    return;
  }
  lost(c, "receive failed (" + std::to_string(net_.WSAGetLastError()) + ")");  // R10, R5b: no packet
}

void SimDevice::on_read(Conn& c, bool ok, DWORD bytes) {
  c.recv_in_flight = false;
  if (c.closed) return;
  if (c.ending == Conn::Ending::graceful) {
    // Closing: bytes are discarded until the peer's FIN (or an error) ends it.
    if (!ok || bytes == 0) return close(c, false);
    return read(c);
  }
  if (!ok) return lost(c, "connection lost (" + std::to_string(net_.GetLastError()) + ")");
  if (bytes == 0) {
    c.eof = true;
    if (&c == current_) device_.on_peer_eof();
    return;
  }
  if (&c != current_) return;
  if (!c.reading) {
    c.held = bytes;  // reading stopped while this receive was in flight: keep its bytes
    return;
  }
  device_.on_bytes({c.buffer.data(), bytes});
}

void SimDevice::write(Conn& c) {
  if (c.closed || c.send_in_flight) return;
  if (c.writes.empty()) return on_write_queue_empty(c);
  std::vector<std::uint8_t>& front = c.writes.front();
  WSABUF buf{static_cast<ULONG>(front.size() - c.written), reinterpret_cast<char*>(front.data() + c.written)};
  c.send_ov = OVERLAPPED{};
  if (net_.WSASend(c.socket, &buf, 1, nullptr, 0, &c.send_ov, nullptr) == 0 ||
      net_.WSAGetLastError() == WSA_IO_PENDING) {
    c.send_in_flight = true;
    return;
  }
  lost(c, "send failed (" + std::to_string(net_.WSAGetLastError()) + ")");
}

void SimDevice::on_written(Conn& c, bool ok, DWORD bytes) {
  c.send_in_flight = false;
  if (c.closed) return;
  if (!ok) return lost(c, "connection lost (" + std::to_string(net_.GetLastError()) + ")");
  c.written += bytes;
  if (c.written >= c.writes.front().size()) {
    c.writes.pop_front();
    c.written = 0;
  }
  if (&c == current_) device_.on_written(bytes);
  write(c);
}

void SimDevice::on_write_queue_empty(Conn& c) {
  if (c.ending == Conn::Ending::none || c.write_shut) return;
  net_.shutdown(c.socket, SD_SEND);
  c.write_shut = true;
  if (c.ending == Conn::Ending::graceful) read(c);  // drain until the peer's FIN
}

void SimDevice::lost(Conn& c, const std::string& why) {
  const bool was_current = &c == current_;
  close(c, false);
  if (was_current) {
    current_ = nullptr;
    device_.on_connection_lost(why);
  }
}

// The socket goes; its operations still pending end with packets that reap() waits for.
void SimDevice::close(Conn& c, bool abortive) {
  if (c.closed) return;
  if (abortive) {
    const linger off{1, 0};
    net_.setsockopt(c.socket, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&off), sizeof off);
  }
  net_.closesocket(c.socket);
  c.closed = true;
  c.writes.clear();
  if (&c == current_) current_ = nullptr;
}

void SimDevice::reap() {
  conns_.remove_if(
      [](const std::unique_ptr<Conn>& c) { return c->closed && !c->recv_in_flight && !c->send_in_flight; });
}

}  // namespace iocpsim::devsim
