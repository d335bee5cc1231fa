#include "iocpsim/devsim/device.hpp"

#include <nlohmann/json.hpp>

#include "iocpsim/devsim/record.hpp"
#include "iocpsim/devsim/spec.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {

const char* to_string(ConnectionOp op) noexcept {
  switch (op) {
    case ConnectionOp::close_graceful:
      return "close_graceful";
    case ConnectionOp::shutdown_write:
      return "shutdown_write";
    case ConnectionOp::reset:
      return "reset";
    case ConnectionOp::pause_reading:
      return "pause_reading";
    case ConnectionOp::resume_reading:
      return "resume_reading";
  }
  return "?";
}

const char* to_string(ListenMode mode) noexcept {
  switch (mode) {
    case ListenMode::accepting:
      return "accepting";
    case ListenMode::holding:
      return "holding";
    case ListenMode::withholding:
      return "withholding";
    case ListenMode::refusing:
      return "refusing";
  }
  return "?";
}

namespace detail {

std::vector<std::unique_ptr<Step>> build_script(const DeviceSpec& spec) {
  std::vector<JsonReader> readers;
  const std::string base = spec.path.empty() ? "script" : spec.path + ".script";
  for (std::size_t i = 0; i < spec.script.size(); ++i) {
    readers.emplace_back(spec.script[i], base + "[" + std::to_string(i) + "]");
  }
  return StepRegistry::global().parse_list(std::move(readers), spec.model.identity);
}

}  // namespace detail

Device::Device(const DeviceSpec& spec, const Clock& clock, std::uint64_t seed, LogSink log)
    : name_(spec.name),
      clock_(clock),
      seed_(spec.seed.value_or(seed)),
      rng_(seed_),
      log_(std::move(log)),
      model_(spec.model, clock, rng_, [this](const nlohmann::json& e) { this->log(e); }),
      script_(detail::build_script(spec)) {}

void Device::log(nlohmann::json event) {
  if (!log_) return;
  nlohmann::json line = {{"t_us", clock_.now().count()}, {"device", name_}};
  line.update(event);
  log_(line);
}

void Device::start() {
  log({{"event", "device_started"}, {"seed", seed_}, {"steps", script_.size()}});
  script_state_ = ScriptState::running;
  pump();
}

void Device::on_accepted() {
  if (reset_on_accept_ > 0) {
    --reset_on_accept_;
    log({{"event", "connection_reset_on_accept"}, {"remaining", reset_on_accept_}});
    actions_.emplace_back(ConnectionOp::reset);
    return;
  }
  connected_ = true;
  reading_ = true;
  peer_closed_ = false;
  write_shut_ = false;
  model_.on_connected();
  log({{"event", "connection_accepted"}, {"connection", model_.record().connections_accepted}});
  pump();
}

void Device::on_bytes(protocol::Bytes bytes) {
  if (!connected_) return;
  model_.on_bytes(bytes);
  pump();
}

void Device::on_peer_eof() {
  if (!connected_) return;
  peer_closed_ = true;
  log({{"event", "peer_closed"}});
  // A faithful device answers the host's FIN by closing too.
  apply(ConnectionOp::close_graceful);
  pump();
}

void Device::on_connection_lost(const std::string& why) {
  if (!connected_) return;
  peer_closed_ = true;
  log({{"event", "connection_lost"}, {"reason", why}});
  disconnected();
  pump();
}

void Device::on_written(std::size_t bytes) {
  model_.record().bytes_written += bytes;
  if (model_.on_written(bytes)) pump();  // back-pressure released: producers carry on
}

void Device::on_time() { pump(); }

void Device::refuse_next_connections(std::uint32_t count) {
  refusals_left_ = count;
  refusal_counting_error_.clear();
  set_listen_mode(ListenMode::refusing);
  log({{"event", "refusing_next"}, {"count", count}});
}

void Device::on_refused_attempts(std::size_t attempts) {
  for (std::size_t i = 0; i < attempts; ++i) {
    if (refusals_left_ == 0) {
      // Seen together with the last counted one, so it too came before the device listened again.
      log({{"event", "connection_refused_past_count"}});
      continue;
    }
    --refusals_left_;
    log({{"event", "connection_refused"}, {"remaining", refusals_left_}});
    // Listen again at once: the transport does so before it looks at anything else.
    if (refusals_left_ == 0) set_listen_mode(ListenMode::accepting);
  }
  pump();
}

void Device::on_refusal_counting_failed(const std::string& why) {
  refusals_left_ = 0;
  refusal_counting_error_ = why;
  log({{"event", "refusal_counting_failed"}, {"reason", why}});
  pump();
}

void Device::wake_at(DeviceTime t) { wake_ = wake_ ? std::min(*wake_, t) : t; }

std::optional<DeviceTime> Device::next_deadline() const {
  auto next = model_.next_deadline();
  if (wake_) next = next ? std::min(*next, *wake_) : *wake_;
  return next;
}

ListenMode Device::listen_mode() const noexcept {
  // One connection at a time: the next waits in the backlog until this one ends.
  if (listen_mode_ == ListenMode::accepting && connected_) return ListenMode::holding;
  return listen_mode_;
}

void Device::set_listen_mode(ListenMode mode) {
  if (mode == listen_mode_) return;
  listen_mode_ = mode;
  log({{"event", "listen_mode"}, {"mode", to_string(mode)}});
}

void Device::connection(ConnectionOp op) { apply(op); }

void Device::apply(ConnectionOp op) {
  if (!connected_) return;
  log({{"event", "connection_op"}, {"op", to_string(op)}});
  // Queued frames go out before a graceful close or half-close; a reset discards them.
  drain_model();
  actions_.emplace_back(op);
  switch (op) {
    case ConnectionOp::close_graceful:
    case ConnectionOp::reset:
      disconnected();
      break;
    case ConnectionOp::shutdown_write:
      write_shut_ = true;
      break;
    case ConnectionOp::pause_reading:
      reading_ = false;
      break;
    case ConnectionOp::resume_reading:
      reading_ = true;
      break;
  }
}

void Device::disconnected() {
  connected_ = false;
  held_.clear();
  reading_ = true;
  model_.on_disconnected();
}

void Device::drain_model() {
  // While the model's output is held (a stall), bytes wait in held_; connection ops go straight on.
  if (!model_.output_held() && !held_.empty()) {
    for (auto& action : held_) actions_.push_back(std::move(action));
    held_.clear();
  }
  for (auto& action : model_.take_outbox()) {
    if (const auto* op = std::get_if<ConnectionOp>(&action)) {
      apply(*op);
    } else if (connected_ && !write_shut_) {
      (model_.output_held() ? held_ : actions_).push_back(std::move(action));
    } else {
      model_.on_send_discarded(std::get<SendBytes>(action).bytes.size());
    }
  }
}

namespace {

// A step object, or an array of them, as readers with their JSON paths.
std::vector<JsonReader> step_readers(const nlohmann::json& steps, const std::string& path) {
  std::vector<JsonReader> readers;
  if (steps.is_array()) {
    for (std::size_t i = 0; i < steps.size(); ++i) readers.emplace_back(steps[i], path + "[" + std::to_string(i) + "]");
  } else {
    readers.emplace_back(steps, path);
  }
  return readers;
}

}  // namespace

void Device::run_now(const nlohmann::json& steps, const std::string& path) {
  auto parsed = StepRegistry::global().parse_list(step_readers(steps, path), model_.config().identity);
  log({{"event", "control_steps"}, {"steps", parsed.size()}, {"path", path}});
  control_.emplace_back(std::move(parsed));
  pump();
}

void Device::replace_script(const nlohmann::json& steps, const std::string& path) {
  if (!steps.is_array()) throw SpecError(path, "expected an array of steps");
  script_ = Sequence(StepRegistry::global().parse_list(step_readers(steps, path), model_.config().identity));
  expect_cursor_ = 0;
  failure_.clear();
  log({{"event", "script_replaced"}, {"steps", script_.size()}});
  script_state_ = ScriptState::running;
  pump();
}

std::size_t Device::control_steps_pending() const noexcept { return control_.size(); }

const char* Device::script_state_name() const noexcept {
  switch (script_state_) {
    case ScriptState::idle:
      return "idle";
    case ScriptState::running:
      return "running";
    case ScriptState::finished:
      return "finished";
    case ScriptState::failed:
      return "failed";
  }
  return "?";
}

void Device::pump() {
  model_.on_time();
  drain_model();
  // Steps given from outside run first, one sequence at a time; a failed one is logged and dropped.
  std::optional<DeviceTime> control_wake;
  if (!control_.empty()) {
    wake_.reset();
    while (!control_.empty()) {
      const auto status = control_.front().advance(*this);
      if (status.kind == StepStatus::waiting) break;
      if (status.kind == StepStatus::done) {
        log({{"event", "control_steps_finished"}});
      } else {
        log({{"event", "control_steps_failed"}, {"reason", status.reason}});
      }
      control_.pop_front();
    }
    control_wake = wake_;
  }
  if (script_state_ == ScriptState::running) {
    wake_.reset();
    const auto status = script_.advance(*this);
    if (status.kind == StepStatus::done) {
      script_state_ = ScriptState::finished;
      log({{"event", "script_finished"}});
    } else if (status.kind == StepStatus::failed) {
      script_state_ = ScriptState::failed;
      failure_ = status.reason;
      log({{"event", "script_failed"}, {"reason", failure_}});
    }
  }
  // The earlier of the two wake-ups (the script's replaced wake_ when it ran).
  if (control_wake && (!wake_ || *control_wake < *wake_)) wake_ = control_wake;
  // A step may have made something due at once (an answer override with no delay).
  model_.on_time();
  drain_model();
}

std::vector<Action> Device::take_actions() {
  std::vector<Action> out;
  out.swap(actions_);
  return out;
}

}  // namespace iocpsim::devsim
