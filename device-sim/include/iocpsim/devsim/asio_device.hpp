// A Device on a real TCP port, under standalone asio: one device per listening port, one connection
// at a time, as many devices per io_context as wanted. Everything runs on the io_context's thread;
// run the io_context from one thread. Time comes from the Clock given (SteadyClock for real runs;
// with a ManualClock, call poke() after moving it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "iocpsim/devsim/asio_connection.hpp"
#include "iocpsim/devsim/device.hpp"
#include "iocpsim/devsim/syn_watch.hpp"

namespace iocpsim::devsim {

class AsioDevice {
 public:
  AsioDevice(asio::io_context& io, const DeviceSpec& spec, const Clock& clock, std::uint64_t seed, LogSink log = {});
  ~AsioDevice();
  AsioDevice(const AsioDevice&) = delete;
  AsioDevice& operator=(const AsioDevice&) = delete;

  // Binds `endpoint` (port 0 picks a free port; throws std::system_error if it cannot) and starts
  // the script. The port stays bound until stop(), also while the device refuses connections.
  void start(const asio::ip::tcp::endpoint& endpoint);
  asio::ip::tcp::endpoint local_endpoint() const { return endpoint_; }
  void stop();  // closes the port and every connection; the script stops where it is
  void poke();  // re-reads the clock (after a ManualClock moved)

  // Reading these from another thread than the io_context's is a race: read them from a handler
  // or once the io_context has stopped.
  const Device& device() const { return device_; }
  const DeliveryRecord& record() const { return device_.record(); }
  // The script has ended and no connection is open.
  bool idle() const { return device_.script_done() && !current_; }
  // The listener's accept queue is plugged: the kernel completes no handshake until the device
  // accepts again (ListenMode::withholding).
  bool withholding_handshakes() const { return plugged_; }
  // Bytes the current connection holds handed over but not yet written (bounded by the device's send_queue.max_bytes).
  std::size_t send_queue_bytes() const { return current_ ? current_->queued_bytes() : 0; }
  // device-sim's control API (call on the io_context's thread): Device::run_now and
  // Device::replace_script, then the device's actions are carried out.
  void run_now(const nlohmann::json& steps, const std::string& path);
  void replace_script(const nlohmann::json& steps, const std::string& path);
  // What the control API shows of the device: its port, connection, script and record.
  nlohmann::json describe() const;
  // Called (on the io_context's thread) each time the device becomes idle.
  void on_idle(std::function<void()> callback) { on_idle_ = std::move(callback); }

 private:
  void process();  // carries out the device's actions and brings listener, reads and timer up to date
  void carry_out(Action& action);
  void carry_out(ConnectionOp op);
  void update_listener();
  void watch_refusals();
  void listen();
  void refuse();
  void accept();
  void cancel_accept();
  void withhold();
  void stop_withholding();
  bool is_plug(const asio::ip::tcp::socket& socket);
  void on_accepted(const asio::error_code& ec, asio::ip::tcp::socket socket);
  void arm_timer();
  void log(nlohmann::json event);

  asio::io_context& io_;
  const Clock& clock_;
  LogSink log_;
  Device device_;
  asio::ip::tcp::acceptor acceptor_;
  asio::ip::tcp::endpoint endpoint_;
  asio::steady_timer timer_;
  std::uint64_t timer_generation_ = 0;
  std::shared_ptr<detail::AsioConnection> current_;
  std::vector<std::weak_ptr<detail::AsioConnection>> ended_;  // closing gracefully; closed by stop()
  // Counting refusals (refuse_connections with `count`): sees the SYNs the refusing port turns away.
  detail::SynWatch syn_watch_;
  // ListenMode::withholding: a connection the device opens to itself and never accepts, filling
  // the accept queue; and the addresses of plugs whose queued server end is still to be discarded.
  asio::ip::tcp::socket plug_;
  std::vector<asio::ip::tcp::endpoint> plug_endpoints_;
  bool withholding_ = false;
  bool plugged_ = false;
  bool listening_ = false;
  bool accept_in_flight_ = false;
  bool stopped_ = false;
  bool was_idle_ = false;
  std::function<void()> on_idle_;
};

}  // namespace iocpsim::devsim
