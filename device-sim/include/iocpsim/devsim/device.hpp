// One simulated device: the model plus its script, with no transport. A transport reports what
// happens on the wire (accepted, bytes, peer closed, time passed) and carries out the device's
// actions; it asks listen_mode() whether to accept and next_deadline() when to call on_time().
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "iocpsim/devsim/sequence.hpp"
#include "iocpsim/devsim/step.hpp"

namespace iocpsim::devsim {

struct DeviceSpec;  // spec.hpp

class Device final : private StepContext {
 public:
  // `seed` is the run's seed; the spec's own seed, if any, wins. The clock must outlive the device.
  Device(const DeviceSpec& spec, const Clock& clock, std::uint64_t seed, LogSink log = {});
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  const std::string& name() const noexcept { return name_; }
  std::uint64_t seed() const noexcept { return seed_; }

  void start();  // begins the script
  void on_accepted();
  void on_bytes(protocol::Bytes bytes);
  void on_peer_eof();                               // FIN from the peer
  void on_connection_lost(const std::string& why);  // reset or error; the connection is gone
  void on_written(std::size_t bytes);               // the transport wrote this much of what it was handed
  // Counting refusals: the transport saw `attempts` connection attempts the refusing port turned away, or could not
  // count them at all.
  void on_refused_attempts(std::size_t attempts);
  void on_refusal_counting_failed(const std::string& why);
  bool counts_refusals() const noexcept { return refusals_left_ > 0; }
  void on_time();

  std::vector<Action> take_actions();
  ListenMode listen_mode() const noexcept;
  bool is_connected() const noexcept { return connected_; }
  bool is_reading() const noexcept { return reading_; }
  // Whether the transport should read: not while a step stopped reading, nor while the send queue is full (the device
  // would have no room to answer).
  bool wants_input() const noexcept { return reading_ && !model_.send_blocked(); }
  std::optional<DeviceTime> next_deadline() const;

  // From outside the script (device-sim's control API). Both throw SpecError, naming the JSON path
  // under `path`, for steps that are not valid, and change nothing then.
  // run_now: the steps run at once, beside the script (which goes on where it is); steps given
  // while earlier ones still run follow them.
  void run_now(const nlohmann::json& steps, const std::string& path);
  // replace_script: the script starts again from its first step, as these steps.
  void replace_script(const nlohmann::json& steps, const std::string& path);
  std::size_t control_steps_pending() const noexcept;
  const char* script_state_name() const noexcept;

  bool script_done() const noexcept { return script_state_ != ScriptState::running; }
  bool script_failed() const noexcept { return script_state_ == ScriptState::failed; }
  const std::string& failure() const noexcept { return failure_; }
  const DeliveryRecord& record() const noexcept { return model_.record(); }
  const DeviceModel& model_view() const noexcept { return model_; }

 private:
  enum class ScriptState : std::uint8_t { idle, running, finished, failed };

  // StepContext
  DeviceTime now() const override { return clock_.now(); }
  void wake_at(DeviceTime t) override;
  DeviceModel& model() override { return model_; }
  Rng& rng() override { return rng_; }
  bool connected() const override { return connected_; }
  bool reading() const override { return reading_; }
  void connection(ConnectionOp op) override;
  void set_listen_mode(ListenMode mode) override;
  void reset_next_connections(std::uint32_t count) override { reset_on_accept_ = count; }
  void refuse_next_connections(std::uint32_t count) override;
  std::uint32_t refusals_left() const override { return refusals_left_; }
  const std::string& refusal_counting_error() const override { return refusal_counting_error_; }
  bool peer_closed() const override { return peer_closed_; }
  std::size_t& expect_cursor() override { return expect_cursor_; }
  void log(nlohmann::json event) override;

  void pump();  // runs the model and the script until neither has anything more to do now
  void drain_model();
  void apply(ConnectionOp op);
  void disconnected();

  std::string name_;
  const Clock& clock_;
  std::uint64_t seed_;
  Rng rng_;
  LogSink log_;
  DeviceModel model_;
  Sequence script_;
  std::deque<Sequence> control_;  // steps given by run_now(), in order
  std::vector<Action> actions_;
  std::vector<Action> held_;  // bytes produced during a stall
  std::optional<DeviceTime> wake_;
  ScriptState script_state_ = ScriptState::idle;
  std::string failure_;
  ListenMode listen_mode_ = ListenMode::accepting;
  std::uint32_t reset_on_accept_ = 0;
  std::uint32_t refusals_left_ = 0;
  std::string refusal_counting_error_;
  std::size_t expect_cursor_ = 0;
  bool connected_ = false;
  bool reading_ = true;
  bool peer_closed_ = false;
  bool write_shut_ = false;
};

}  // namespace iocpsim::devsim
