// A Device on the simulated network (iocpsim/iocp/sim_io_api.hpp): the same model and script as
// on a real TCP port, carried out through the completion-port API of a SimIoApi from a thread of
// the simulated world, so every byte, every timer and every connection attempt happens in the
// run's virtual time, in an order the run's seed decides.
//
// One device per listening port, one connection at a time, as AsioDevice. What is exact here
// and approximate on a real kernel: a withheld handshake (the listener leaves SYNs unanswered)
// and counting refused attempts (the network says each one), on every platform.
//
// Tested through the scenario library in the simulated world (the scenario:sim/… tests: every
// step kind of the library's scripts, refused-exactly-three-times-by-device and
// connect-timeout-withheld-handshake among them).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "iocpsim/devsim/device.hpp"
#include "iocpsim/iocp/sim_io_api.hpp"
#include "iocpsim/world/clock.hpp"
#include "iocpsim/world/sync.hpp"

namespace iocpsim::devsim {

// The device's clock in a simulated world: the run's clock, counted from `epoch`.
class WorldClock final : public Clock {
 public:
  WorldClock(const world::Clock& clock, std::chrono::microseconds epoch) : clock_(clock), epoch_(epoch) {}
  DeviceTime now() const override { return clock_.now() - epoch_; }

 private:
  const world::Clock& clock_;
  std::chrono::microseconds epoch_;
};

class SimDevice {
 public:
  SimDevice(iocp::SimIoApi& net, const DeviceSpec& spec, const Clock& clock, std::uint64_t seed, LogSink log = {});
  ~SimDevice();  // stops it
  SimDevice(const SimDevice&) = delete;
  SimDevice& operator=(const SimDevice&) = delete;

  // Binds `address`:`port` on the simulated network (port 0 picks a free one; false and why() if
  // it cannot) and starts the device's thread. Call from a thread of the world.
  bool start(const std::string& address, std::uint16_t port);
  const std::string& why() const { return why_; }
  std::uint16_t port() const { return port_; }
  // Closes the port and every connection, waits for their operations to end and for the thread
  // to leave. From a thread of the world; the records stay readable.
  void stop();

  // Read these once stopped (or from the device's own thread).
  const Device& device() const { return device_; }
  const DeliveryRecord& record() const { return device_.record(); }
  bool idle() const { return device_.script_done() && current_ == nullptr; }

 private:
  struct Conn;
  enum class Op : std::uint8_t { recv, send, accept };

  void run();
  void process();
  void carry_out(Action& action);
  void carry_out(ConnectionOp op);
  void update_listener();
  bool open_listener(iocp::SimListenMode mode);
  void accept();
  void cancel_accept();
  void on_accepted(bool ok);
  void read(Conn& c);
  void write(Conn& c);
  void on_read(Conn& c, bool ok, DWORD bytes);
  void on_written(Conn& c, bool ok, DWORD bytes);
  void on_write_queue_empty(Conn& c);
  void close(Conn& c, bool abortive);
  void lost(Conn& c, const std::string& why);
  void reap();
  bool dispatch(ULONG_PTR key, OVERLAPPED* ov, bool ok, DWORD bytes);
  DWORD wait_ms() const;
  void log(nlohmann::json event);

  iocp::SimIoApi& net_;
  const Clock& clock_;
  LogSink log_;
  Device device_;
  std::string why_;
  std::string address_;
  std::uint16_t port_ = 0;
  HANDLE iocp_ = nullptr;
  SOCKET listener_ = INVALID_SOCKET;
  iocp::SimListenMode listener_mode_ = iocp::SimListenMode::accepting;
  bool refusals_watched_ = false;
  SOCKET accept_socket_ = INVALID_SOCKET;
  OVERLAPPED accept_ov_{};
  bool accept_in_flight_ = false;
  std::vector<std::uint8_t> accept_buffer_;
  std::list<std::unique_ptr<Conn>> conns_;  // the current one and those still ending
  Conn* current_ = nullptr;
  bool stopping_ = false;
  bool was_idle_ = false;
  world::Thread thread_;
};

}  // namespace iocpsim::devsim
