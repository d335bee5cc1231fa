// One scenario run: devices up, engine up, the run phase (actions, until, max_ms), the final
// states, the engine's shutdown, the devices down; then everything recorded for judging.
#include "iocpsim/scenario/runner.hpp"

#include <algorithm>
#include <future>
#include <memory>
#include <thread>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include "iocpsim/devsim/asio_device.hpp"
#include "iocpsim/devsim/clock.hpp"
#include "iocpsim/devsim/platform_limits.hpp"
#include "iocpsim/devsim/record.hpp"
#include "iocpsim/devsim/sim_device.hpp"
#include "iocpsim/iocp/completion_ledger.hpp"
#include "iocpsim/iocp/emulated_io_api.hpp"
#include "iocpsim/iocp/fault_injecting_io_api.hpp"
#include "iocpsim/iocp/sim_io_api.hpp"
#include "iocpsim/world/scheduler.hpp"
#include "run_detail.hpp"

namespace iocpsim::scenario {

std::uint64_t RunResult::counter(const std::string& device, const std::string& name) const {
  return static_cast<std::uint64_t>(std::count_if(
      events.begin(), events.end(), [&](const engine::Event& e) { return e.name == name && e.device == device; }));
}

std::int64_t RunResult::event_us(std::size_t i) const {
  return i < event_times_us.size() ? event_times_us[i] : events[i].t_ms * 1000 - epoch_us;
}

std::vector<std::string> RunResult::trace() const {
  std::vector<std::string> lines;
  lines.reserve(events.size() + 1);
  for (std::size_t i = 0; i < events.size(); ++i) {
    nlohmann::ordered_json line = {{"t_us", event_us(i)}, {"event", events[i].name}};
    if (!events[i].device.empty()) line["device"] = events[i].device;
    for (const auto& [key, value] : events[i].fields.items()) line[key] = value;
    lines.push_back(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  if (schedule) {
    const nlohmann::ordered_json s = {{"strategy", world::to_string(schedule->strategy)},
                                      {"points", schedule->points},
                                      {"decisions", schedule->decisions},
                                      {"switches", schedule->switches},
                                      {"trace_hash", schedule->trace_hash},
                                      {"end_us", schedule->end_time.count()},
                                      {"failure", schedule->failure}};
    lines.push_back(nlohmann::ordered_json{{"schedule", s}}.dump());
  }
  return lines;
}

std::string first_trace_difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string x = i < a.size() ? a[i] : "(none)";
    const std::string y = i < b.size() ? b[i] : "(none)";
    if (x != y) return "line " + std::to_string(i + 1) + ": " + x + " | " + y;
  }
  return "";
}

namespace detail {
namespace {

using std::chrono::microseconds;

// Device log lines kept for the timeline of one run; the rest are counted.
constexpr std::size_t kMaxDeviceLogLines = 50'000;
using std::chrono::milliseconds;

asio::ip::tcp::endpoint listen_endpoint(const devsim::DeviceSpec& spec) {
  const std::string text = spec.listen.value_or("127.0.0.1:0");
  const auto colon = text.rfind(':');
  const std::string host = colon == std::string::npos ? text : text.substr(0, colon);
  const auto port = colon == std::string::npos ? 0 : std::stoul(text.substr(colon + 1));
  return {asio::ip::make_address(host), static_cast<std::uint16_t>(port)};
}

// The IoApi backend and the clock of a run: the emulation and the steady clock in the real world;
// in a simulated one, its network and its virtual time.
struct RunWorld {
  explicit RunWorld(world::Scheduler* s)
      : sim(s),
        clock(s != nullptr ? s->clock() : steady),
        backend(s != nullptr ? std::unique_ptr<iocp::IoApi>(std::make_unique<iocp::SimIoApi>(*s))
                             : std::unique_ptr<iocp::IoApi>(std::make_unique<iocp::EmulatedIoApi>())) {}
  iocp::SimIoApi* network() const { return sim != nullptr ? static_cast<iocp::SimIoApi*>(backend.get()) : nullptr; }

  world::Scheduler* sim;
  iocp::SteadyClock steady;
  const iocp::Clock& clock;
  std::unique_ptr<iocp::IoApi> backend;
};

// Where a device listens; the engine dials it there.
struct DeviceAddress {
  std::string host;
  std::uint16_t port = 0;
};

class Run {
 public:
  Run(const Scenario& s, std::uint64_t seed, const std::shared_ptr<engine::EventSink>& progress, world::Scheduler* sim)
      : scenario_(s),
        seed_(seed),
        world_(sim),
        clock_(world_.clock),
        epoch_us_(clock_.now().count()),
        shim_(*world_.backend, iocp::FaultOptions{world::stream_seed(seed, "shim"), &clock_, true, 1u << 16}),
        ledger_(shim_) {
    if (world_.sim != nullptr) {
      device_clock_ = std::make_unique<devsim::WorldClock>(clock_, microseconds(epoch_us_));
    } else {
      device_clock_ = std::make_unique<devsim::SteadyClock>();
    }
    log_.add_sink(sink_);
    if (progress) log_.add_sink(progress);
    result_.scenario = s.name;
    result_.seed = seed;
    result_.epoch_us = epoch_us_;
  }
  ~Run() { teardown(); }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  RunResult execute();

 private:
  std::int64_t now_us() const { return clock_.now().count() - epoch_us_; }
  void note(const std::string& what, const std::string& text, const std::string& device = {});
  void start_devices();
  void start_engine();
  void run_phase();
  bool fire_due_actions(std::vector<bool>& fired, microseconds start);
  void fire(const Action& a);
  void submit_command(const Action& a);
  bool until_holds() const;
  void finish_engine();
  void stop_devices();
  void teardown();
  void collect();

  const Scenario& scenario_;
  std::uint64_t seed_;
  RunWorld world_;
  const iocp::Clock& clock_;
  std::int64_t epoch_us_;
  std::unique_ptr<devsim::Clock> device_clock_;  // counts from the run's start
  iocp::FaultInjectingIoApi shim_;
  iocp::CompletionLedger ledger_;  // between the engine and the shim: what each call owed the engine
  engine::EventLog log_;
  std::shared_ptr<RunSink> sink_ = std::make_shared<RunSink>(clock_, epoch_us_);
  world::Mutex mutex_;  // guards the members below written from engine workers or the device thread
  std::vector<SocketTag> sockets_;
  std::vector<DeliveredSample> delivered_;
  std::map<std::string, std::map<std::string, std::uint64_t>> commands_;
  std::map<std::string, std::uint64_t> commands_accepted_;
  std::map<std::string, std::uint64_t> command_outcomes_;
  std::vector<DeviceLogLine> device_log_;
  std::uint64_t device_log_dropped_ = 0;
  std::vector<TimelineEntry> runner_entries_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::unique_ptr<devsim::AsioDevice>> devices_;     // the real world's
  std::vector<std::unique_ptr<devsim::SimDevice>> sim_devices_;  // a simulated world's
  std::vector<DeviceAddress> addresses_;
  std::thread io_thread_;
  std::unique_ptr<engine::Engine> engine_;
  RunResult result_;
};

void Run::note(const std::string& what, const std::string& text, const std::string& device) {
  TimelineEntry e;
  e.t_us = now_us();
  e.source = TimelineEntry::Source::runner;
  e.device = device;
  e.what = what;
  e.text = text;
  std::lock_guard lock(mutex_);
  runner_entries_.push_back(std::move(e));
}

void Run::start_devices() {
  for (std::size_t i = 0; i < scenario_.devices.size(); ++i) {
    const devsim::DeviceSpec& spec = scenario_.devices[i];
    auto sink = [this](const nlohmann::json& line) {
      std::lock_guard lock(mutex_);
      // A script that loops without waiting logs without end: the run's memory stays bounded.
      if (device_log_.size() >= kMaxDeviceLogLines) {
        ++device_log_dropped_;
        return;
      }
      device_log_.push_back({line.value("t_us", std::int64_t{0}), line});
    };
    // Each device draws from a stream of its own (the spec's seed, if it has one, wins).
    const std::uint64_t seed = world::stream_seed(seed_, "device " + spec.name);
    const asio::ip::tcp::endpoint endpoint = listen_endpoint(spec);
    if (iocp::SimIoApi* network = world_.network()) {
      // The simulated network does what the host's sockets cannot (devsim/platform_limits.hpp).
      const devsim::RealWorldLimits simulated;
      auto device = std::make_unique<devsim::SimDevice>(*network, spec, *device_clock_, seed, sink);
      if (!device->start(endpoint.address().to_string(), endpoint.port())) throw std::runtime_error(device->why());
      addresses_.push_back(
          {endpoint.address().is_unspecified() ? "127.0.0.1" : endpoint.address().to_string(), device->port()});
      sim_devices_.push_back(std::move(device));
      continue;
    }
    auto device = std::make_unique<devsim::AsioDevice>(io_, spec, *device_clock_, seed, sink);
    device->start(endpoint);
    addresses_.push_back({device->local_endpoint().address().to_string(), device->local_endpoint().port()});
    devices_.push_back(std::move(device));
  }
  if (world_.sim != nullptr) return;
  work_.emplace(io_.get_executor());
  io_thread_ = std::thread([this] { io_.run(); });
}

void Run::start_engine() {
  engine::Callbacks cb;
  cb.on_socket = [this](const std::string& device, SOCKET s) {
    shim_.tag_socket(s, device);
    std::lock_guard lock(mutex_);
    sockets_.push_back({clock_.now().count(), static_cast<std::uintptr_t>(s), device});
  };
  cb.on_telemetry = [this](const std::string& device, const engine::TelemetrySample& t) {
    std::lock_guard lock(mutex_);
    delivered_.push_back({device, t.channel, t.channel_seq});
  };
  engine::EngineOptions options = scenario_.engine;
  options.seed = world::stream_seed(seed_, "engine");
  shim_.arm(scenario_.faults);
  engine_ = std::make_unique<engine::Engine>(ledger_, clock_, log_, options, std::move(cb));
  if (!engine_->start()) throw std::runtime_error("the engine did not start (see engine_start_failed)");
  for (std::size_t i = 0; i < scenario_.hosts.size(); ++i) {
    engine::DeviceConfig c = scenario_.hosts[i];
    c.host = addresses_[i].host;
    c.port = addresses_[i].port;
    if (!engine_->add_device(c)) throw std::runtime_error("the engine refused device " + c.name);
  }
}

void Run::submit_command(const Action& a) {
  for (std::uint32_t i = 0; i < a.count; ++i) {
    const std::string device = a.device;
    const engine::Submit submit =
        engine_->send_command(device, a.opcode, a.data, a.timeout_ms, [this, device](const engine::CommandResult& r) {
          std::lock_guard lock(mutex_);
          ++commands_[device][engine::to_string(r.outcome)];
          ++command_outcomes_[device];
        });
    {
      std::lock_guard lock(mutex_);
      if (submit == engine::Submit::accepted) {
        ++commands_accepted_[device];
      } else {
        ++commands_[device][engine::to_string(submit)];
      }
    }
    if (submit != engine::Submit::accepted || i + 1 == a.count) {
      note("command",
           "opcode " + std::to_string(a.opcode) + " x" + std::to_string(i + 1) + ": " + engine::to_string(submit),
           device);
    }
  }
}

void Run::fire(const Action& a) {
  switch (a.kind) {
    case Action::Kind::command:
      submit_command(a);
      break;
    case Action::Kind::remove_device:
      note("remove_device", a.path, a.device);
      engine_->remove_device(a.device);
      break;
    case Action::Kind::shutdown:
      note("shutdown", a.path + ": the run phase ends");
      break;
  }
}

// Fires every action that is due; true when a `shutdown` action fired.
bool Run::fire_due_actions(std::vector<bool>& fired, microseconds start) {
  const microseconds now = clock_.now();
  bool stop = false;
  for (std::size_t i = 0; i < scenario_.actions.size(); ++i) {
    const Action& a = scenario_.actions[i];
    if (fired[i]) continue;
    const bool due = a.at_ms ? now >= start + milliseconds(*a.at_ms) : sink_->count(*a.after) >= a.after->count;
    if (!due) continue;
    fired[i] = true;
    fire(a);
    stop = stop || a.kind == Action::Kind::shutdown;
  }
  return stop;
}

bool Run::until_holds() const {
  const auto& until = scenario_.run.until;
  return !until.empty() &&
         std::all_of(until.begin(), until.end(), [&](const EventCount& c) { return sink_->count(c) >= c.count; });
}

void Run::run_phase() {
  const microseconds start = clock_.now();
  const microseconds end_at = start + milliseconds(std::min(scenario_.run.max_ms, scenario_.limit_ms));
  std::vector<bool> fired(scenario_.actions.size(), false);
  std::optional<microseconds> settle_end;
  const auto ended = [&](const char* why) {
    result_.run_phase_end = why;
    if (!scenario_.run.until.empty()) result_.until_met = settle_end.has_value() || until_holds();
  };
  for (;;) {
    const std::size_t seen = sink_->size();
    if (fire_due_actions(fired, start)) return ended("shutdown action");
    const microseconds now = clock_.now();
    if (!settle_end && until_holds()) {
      note("until", "every `run.until` holds; settling " + std::to_string(scenario_.run.settle_ms) + " ms");
      settle_end = now + milliseconds(scenario_.run.settle_ms);
    }
    if (settle_end && now >= *settle_end) return ended("until");
    if (now >= end_at) {
      note("max_ms", "the run phase reached its end (" + std::to_string(scenario_.run.max_ms) + " ms)");
      return ended("max_ms");
    }
    microseconds wake = settle_end ? std::min(*settle_end, end_at) : end_at;
    for (std::size_t i = 0; i < fired.size(); ++i) {
      if (!fired[i] && scenario_.actions[i].at_ms)
        wake = std::min(wake, start + milliseconds(*scenario_.actions[i].at_ms));
    }
    sink_->wait(seen, wake - now);
  }
}

void Run::finish_engine() {
  for (const auto& d : scenario_.devices) result_.final_states[d.name] = engine::to_string(engine_->state(d.name));
  note("shutdown", "engine shutdown begins");
  result_.shutdown = engine_->shutdown();
  result_.shutdown_done = true;
  engine_.reset();
  const iocp::ShimOutstanding left = shim_.outstanding();
  result_.shim_tracked_ops = left.tracked_ops;
  result_.shim_held_packets = left.held_packets;
  result_.completion_problems = ledger_.problems();
  result_.packets_owed = ledger_.packets_owed();
  result_.packets_dequeued = ledger_.packets_dequeued();
}

void Run::stop_devices() {
  for (auto& d : sim_devices_) d->stop();
  if (!io_thread_.joinable()) return;
  std::promise<void> stopped;
  asio::post(io_, [&] {
    for (auto& d : devices_) d->stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  work_.reset();
  io_.stop();
  io_thread_.join();
}

// The devices stay (stopped) until the Run goes: collect() reads their records.
void Run::teardown() {
  engine_.reset();  // shuts down if a failure left it running
  stop_devices();
}

void Run::collect() {
  if (device_log_dropped_ != 0) {
    note("device_log", "the devices logged more than " + std::to_string(kMaxDeviceLogLines) +
                           " lines (a script loop that never waits?); " + std::to_string(device_log_dropped_) +
                           " later lines are not in the timeline");
  }
  for (std::size_t i = 0; i < devices_.size() + sim_devices_.size(); ++i) {
    const devsim::DeliveryRecord& record =
        i < devices_.size() ? devices_[i]->record() : sim_devices_[i - devices_.size()]->record();
    const std::string& name = scenario_.devices[i].name;
    result_.device_records[name] = record.to_json();
    auto& sent = result_.sent[name];
    for (const devsim::SentFrame& f : record.sent) {
      if (f.type == protocol::MessageType::telemetry && f.fault.empty())
        sent.push_back({f.channel, f.channel_seq, f.at.count()});
    }
  }
  result_.events = sink_->events();
  result_.event_times_us = sink_->times_us();
  result_.delivered = delivered_;
  result_.commands = commands_;
  result_.commands_accepted = commands_accepted_;
  result_.command_outcomes = command_outcomes_;
  TimelineInput in{scenario_.name,
                   seed_,
                   scenario_.device_names(),
                   epoch_us_,
                   result_.events,
                   result_.event_times_us,
                   shim_.journal().entries(),
                   sockets_,
                   device_log_,
                   runner_entries_};
  result_.timeline = assemble_timeline(in);
}

RunResult Run::execute() {
  try {
    start_devices();
    start_engine();
    run_phase();
    finish_engine();
  } catch (const std::exception& e) {
    result_.error = e.what();
    note("error", e.what());
  }
  teardown();
  collect();
  result_.duration_ms = static_cast<double>(now_us()) / 1000.0;
  result_.timed_out = result_.duration_ms > scenario_.limit_ms;
  return std::move(result_);
}

}  // namespace
}  // namespace detail

const char* to_string(World w) noexcept { return w == World::sim ? "sim" : "real"; }

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  const std::uint64_t seed = options.seed.value_or(scenario.seed.value_or(kDefaultSeed));
  if (options.world == World::real) {
    detail::Run run(scenario, seed, options.progress, nullptr);
    return run.execute();
  }
  world::ScheduleOptions schedule = options.schedule;
  schedule.seed = world::stream_seed(seed, "schedule");
  world::Scheduler scheduler(schedule);
  RunResult result;
  const world::ScheduleReport report = scheduler.run([&] {
    detail::Run run(scenario, seed, options.progress, &scheduler);
    result = run.execute();
  });
  result.schedule = report;
  if (!report.failure.empty() && result.error.empty())
    result.error = "the simulated world ended the run: " + report.failure;
  return result;
}

}  // namespace iocpsim::scenario
