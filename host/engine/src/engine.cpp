// Engine: the public API, the device table and the event helpers.
#include <cstring>
#include <utility>

#include "engine_impl.hpp"

namespace iocpsim::engine {

using detail::Device;
using detail::Outbox;

const char* to_string(SessionState s) noexcept {
  switch (s) {
    case SessionState::backoff:
      return "backoff";
    case SessionState::connecting:
      return "connecting";
    case SessionState::handshaking:
      return "handshaking";
    case SessionState::ready:
      return "ready";
    case SessionState::closing:
      return "closing";
    case SessionState::stopped:
      return "stopped";
  }
  return "unknown";
}

const char* to_string(CommandOutcome o) noexcept {
  switch (o) {
    case CommandOutcome::ok:
      return "ok";
    case CommandOutcome::device_status:
      return "device_status";
    case CommandOutcome::timeout:
      return "timeout";
    case CommandOutcome::connection_lost:
      return "connection_lost";
    case CommandOutcome::shutdown:
      return "shutdown";
  }
  return "unknown";
}

const char* to_string(CompletionSkip s) noexcept {
  switch (s) {
    case CompletionSkip::never:
      return "never";
    case CompletionSkip::always:
      return "always";
    case CompletionSkip::if_honoured:
      return "if_honoured";
  }
  return "unknown";
}

bool from_string(std::string_view text, CompletionSkip& out) noexcept {
  for (const CompletionSkip s : {CompletionSkip::never, CompletionSkip::always, CompletionSkip::if_honoured}) {
    if (text == to_string(s)) {
      out = s;
      return true;
    }
  }
  return false;
}

bool completion_skip_from_json(const nlohmann::json& value, CompletionSkip& out) {
  if (value.is_boolean()) {
    out = value.get<bool>() ? CompletionSkip::always : CompletionSkip::never;
    return true;
  }
  return value.is_string() && from_string(value.get_ref<const std::string&>(), out);
}

const char* to_string(Submit s) noexcept {
  switch (s) {
    case Submit::accepted:
      return "accepted";
    case Submit::queue_full:
      return "queue_full";
    case Submit::too_many_in_flight:
      return "too_many_in_flight";
    case Submit::not_ready:
      return "not_ready";
    case Submit::unknown_device:
      return "unknown_device";
    case Submit::shutting_down:
      return "shutting_down";
  }
  return "unknown";
}

Engine::Impl::Impl(iocp::IoApi& io_api, const iocp::Clock& c, EventLog& l, EngineOptions o, Callbacks cbs)
    : io(io_api), clock(c), log(l), options(std::move(o)), callbacks(std::move(cbs)), rng(options.seed) {}

void Engine::Impl::emit(const Device* d, const char* name, nlohmann::json fields) {
  Event e;
  e.t_ms = now_ms();
  e.name = name;
  if (d != nullptr) e.device = d->config.name;
  e.fields = std::move(fields);
  log.emit(std::move(e));
}

void Engine::Impl::set_state(Device& d, SessionState to, Outbox& box) {
  if (d.state == to) return;
  emit(&d, "state_changed", {{"from", to_string(d.state)}, {"to", to_string(to)}});
  box.state(d.state, to);
  d.state = to;
}

std::vector<Device*> Engine::Impl::all_devices() const {
  std::lock_guard lock(devices_mutex);
  std::vector<Device*> out;
  out.reserve(devices.size() + retired.size());
  for (const auto& [name, d] : devices) out.push_back(d.get());
  for (const auto& d : retired) out.push_back(d.get());  // may still be draining
  return out;
}

Device* Engine::Impl::find_device(const std::string& name) const {
  std::lock_guard lock(devices_mutex);
  const auto it = devices.find(name);
  return it == devices.end() ? nullptr : it->second.get();
}

Engine::Engine(iocp::IoApi& io, const iocp::Clock& clock, EventLog& log, EngineOptions options, Callbacks callbacks)
    : impl_(std::make_unique<Impl>(io, clock, log, std::move(options), std::move(callbacks))) {}

Engine::~Engine() {
  if (impl_->started && !impl_->finished) shutdown();
}

bool Engine::start() {
  Impl& m = *impl_;
  if (m.started) return false;
  m.port = m.io.CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  if (m.port == nullptr) {
    m.emit(nullptr, "engine_start_failed", {{"error", m.io.GetLastError()}});
    return false;
  }
  switch (m.options.skip_completion_port_on_success) {
    case CompletionSkip::never:
      m.skip_on_success = false;
      break;
    case CompletionSkip::always:
      m.skip_on_success = true;
      break;
    case CompletionSkip::if_honoured: {
      const detail::SkipProbe probe = detail::probe_skip_on_success(m.io);
      m.skip_on_success = probe.honoured;
      m.emit(nullptr, "completion_skip_probed",
             {{"honoured", probe.honoured}, {"reason", probe.reason}, {"error", probe.error}});
      break;
    }
  }
  m.started = true;
  for (unsigned i = 0; i < m.options.workers; ++i)
    m.workers.emplace_back("worker " + std::to_string(i), [&m] { m.worker_loop(); });
  m.emit(nullptr, "engine_started",
         {{"workers", m.options.workers},
          {"skip_completion_port_on_success", to_string(m.options.skip_completion_port_on_success)},
          {"skips_port_on_success", m.skip_on_success}});
  return true;
}

bool Engine::skips_completion_port_on_success() const { return impl_->skip_on_success; }

std::vector<ConfigProblem> device_config_problems(const DeviceConfig& config) {
  std::vector<ConfigProblem> problems;
  if (config.name.empty()) problems.push_back({"name", "expected a non-empty name, got \"\""});
  in_addr address{};
  if (inet_pton(AF_INET, config.host.c_str(), &address) != 1) {
    problems.push_back({"host",
                        "expected an IPv4 address in dotted form, such as 127.0.0.1 (no "
                        "names, no IPv6), got \"" +
                            config.host + "\""});
  }
  return problems;
}

bool Engine::add_device(DeviceConfig config) {
  Impl& m = *impl_;
  if (!m.started || m.stopping.load()) return false;
  const auto reject = [&](const char* reason) {
    m.emit(nullptr, "device_rejected", {{"name", config.name}, {"host", config.host}, {"reason", reason}});
    return false;
  };
  if (const auto problems = device_config_problems(config); !problems.empty()) {
    return reject(problems.front().field.c_str());  // "name" or "host"
  }
  auto d = std::make_unique<Device>(config, m.options, m.outbox_pool);
  d->address.sin_family = AF_INET;
  d->address.sin_port = htons(d->config.port);
  inet_pton(AF_INET, d->config.host.c_str(), &d->address.sin_addr);
  Device* raw = d.get();
  {
    std::unique_lock lock(m.devices_mutex);
    if (m.devices.size() >= m.options.devices_max) {
      lock.unlock();
      return reject("too_many_devices");
    }
    if (!m.devices.emplace(raw->config.name, std::move(d)).second) return false;
  }
  m.with_device(*raw, [&](Outbox& box) {
    m.emit(raw, "device_added", {{"host", raw->config.host}, {"port", raw->config.port}});
    m.start_connect(*raw, box);
  });
  return true;
}

bool Engine::remove_device(const std::string& name) {
  Impl& m = *impl_;
  std::unique_ptr<Device> owned;
  {
    std::lock_guard lock(m.devices_mutex);
    const auto it = m.devices.find(name);
    if (it == m.devices.end()) return false;
    owned = std::move(it->second);
    m.devices.erase(it);
  }
  Device& d = *owned;
  {
    std::lock_guard lock(m.devices_mutex);
    m.retired.push_back(std::move(owned));
  }
  m.with_device(d, [&](Outbox& box) {
    d.removed = true;
    m.emit(&d, "device_removed");
    m.begin_drain(d, box);
  });
  return true;
}

SessionState Engine::state(const std::string& name) const {
  Device* d = impl_->find_device(name);
  if (d == nullptr) return SessionState::stopped;
  std::lock_guard lock(d->mutex);
  return d->state;
}

Submit Engine::send_command(const std::string& device, std::uint16_t opcode, std::span<const std::uint8_t> data,
                            std::uint32_t timeout_ms, CommandCallback done) {
  Impl& m = *impl_;
  if (m.stopping.load()) return Submit::shutting_down;
  Device* d = m.find_device(device);
  if (d == nullptr) return Submit::unknown_device;
  Submit result = Submit::not_ready;
  m.with_device(*d, [&](Outbox& box) { result = m.submit_command(*d, opcode, data, timeout_ms, done, box); });
  return result;
}

void Engine::wake() { impl_->post(detail::kWakeKey); }

std::size_t Engine::live_op_contexts() const { return impl_->live_ops.load(); }
std::size_t Engine::live_connection_contexts() const { return impl_->live_connections.load(); }

}  // namespace iocpsim::engine
