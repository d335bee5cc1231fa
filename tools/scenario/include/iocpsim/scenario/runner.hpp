// Runs one scenario in this process: the engine under the fault shim, the scenario's devices as
// device-sim devices, one seed for everything, in one of two worlds:
// - real: the emulated IoApi on the host's sockets, the devices on loopback (asio), real time;
// - sim: the simulated network (SimIoApi), the devices on it, every thread of the run scheduled
//   one at a time by the seed (iocpsim/world/scheduler.hpp), virtual time: the same scenario,
//   seed and build give the same run.
// The result holds everything the expectations are judged on, and the timeline.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/engine/engine.hpp"
#include "iocpsim/engine/event_log.hpp"
#include "iocpsim/scenario/scenario.hpp"
#include "iocpsim/scenario/timeline.hpp"
#include "iocpsim/world/scheduler.hpp"

namespace iocpsim::scenario {

enum class World : std::uint8_t { real, sim };
const char* to_string(World w) noexcept;

struct RunOptions {
  std::optional<std::uint64_t> seed;  // overrides the file's seed
  // Also gets every engine event as it is emitted (a child process streams them to the runner
  // that started it, so that a crash still shows the last ones).
  std::shared_ptr<engine::EventSink> progress = nullptr;
  World world = World::real;
  // sim: how threads are scheduled (the seed is drawn from the run's seed).
  world::ScheduleOptions schedule = {};
};

// A telemetry sample as the engine delivered it.
struct DeliveredSample {
  std::string device;
  std::uint16_t channel = 0;
  std::uint32_t channel_seq = 0;
};

// An intact telemetry sample as a device sent it; sent_us on the run's time axis.
struct SentSample {
  std::uint16_t channel = 0;
  std::uint32_t channel_seq = 0;
  std::int64_t sent_us = 0;
};

struct RunResult {
  std::string scenario;
  std::uint64_t seed = 0;
  std::string error;       // the run could not be carried out (a port could not be bound ...)
  bool timed_out = false;  // the whole run exceeded limit_ms
  // Whether every `run.until` held when the run phase ended; nullopt when there is none.
  std::optional<bool> until_met;
  std::string run_phase_end;  // what ended the run phase: "until", "max_ms", "shutdown action"
  std::int64_t epoch_us = 0;  // engine clock at the start of the run: t_ms * 1000 - epoch_us is run time
  std::vector<engine::Event> events;
  // When each event reached the runner, in us on the run's axis (finer than t_ms); may be empty.
  std::vector<std::int64_t> event_times_us;
  std::map<std::string, std::string> final_states;                       // device -> state at the end of the run phase
  std::map<std::string, std::map<std::string, std::uint64_t>> commands;  // device -> result -> count
  std::map<std::string, std::uint64_t> commands_accepted;                // device -> send_command accepted
  std::map<std::string, std::uint64_t> command_outcomes;                 // device -> completion callbacks
  std::map<std::string, nlohmann::json> device_records;                  // device -> DeliveryRecord::to_json()
  std::map<std::string, std::vector<SentSample>> sent;                   // device -> intact telemetry sent
  std::vector<DeliveredSample> delivered;                                // in delivery order
  engine::ShutdownReport shutdown;
  bool shutdown_done = false;
  std::size_t shim_tracked_ops = 0;
  std::size_t shim_held_packets = 0;
  // The completion ledger's word after shutdown (iocp/completion_ledger.hpp): each OVERLAPPED
  // whose packets were not exactly the ones its calls owed, and every packet too many.
  std::vector<std::string> completion_problems;
  std::uint64_t packets_owed = 0;
  std::uint64_t packets_dequeued = 0;
  double duration_ms = 0;
  std::optional<world::ScheduleReport> schedule;  // sim: what the scheduler did
  Timeline timeline;                              // verdict and first_failure are filled by judge()

  // Events of the run in order, counted per device and name.
  std::uint64_t counter(const std::string& device, const std::string& name) const;
  // Event i's time on the run's axis.
  std::int64_t event_us(std::size_t i) const;
  // The run's trace: one JSON line per engine event, {"t_us":…,"event":…,"device":…,<fields>}
  // (time on the run's axis), then, in a simulated world, {"schedule":{…}} with what the scheduler
  // did. In a simulated world the same scenario, seed and build give the same lines.
  std::vector<std::string> trace() const;
};

// The first line where two traces differ: "line N: <a> | <b>" (a missing line shows as
// "(none)"), or "" when they are the same.
std::string first_trace_difference(const std::vector<std::string>& a, const std::vector<std::string>& b);

RunResult run_scenario(const Scenario& scenario, const RunOptions& options = {});

}  // namespace iocpsim::scenario
