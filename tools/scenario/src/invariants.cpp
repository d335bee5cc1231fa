// The universal invariants, one check each, in invariant_table()'s order.
#include "iocpsim/scenario/invariants.hpp"

#include "iocpsim/engine/event_catalogue.hpp"
#include "iocpsim/scenario/expect.hpp"

namespace iocpsim::scenario {
namespace {

std::string event_line(const RunResult& run, std::size_t i) {
  const engine::Event& e = run.events[i];
  return (e.device.empty() ? "" : e.device + " ") + e.name + " " +
         e.fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void run_completed(const RunResult& run, const InvariantScope& scope, std::vector<Violation>& out) {
  if (!run.error.empty()) out.push_back({"run_completed", "the run failed: " + run.error});
  if (run.timed_out) {
    out.push_back({"run_completed", "the run took " + std::to_string(static_cast<long long>(run.duration_ms)) +
                                        " ms, over limit_ms " + std::to_string(scope.limit_ms)});
  }
}

void nothing_leaked(const RunResult& run, std::vector<Violation>& out) {
  if (!run.shutdown_done) return;  // the run failed before: run_completed says so
  const auto& r = run.shutdown;
  if (r.leaked_op_contexts != 0 || r.leaked_connection_contexts != 0) {
    out.push_back({"nothing_leaked", "leaks: " + std::to_string(r.leaked_op_contexts) + " op contexts and " +
                                         std::to_string(r.leaked_connection_contexts) +
                                         " connection contexts leaked at shutdown"});
  }
  if (run.shim_tracked_ops != 0 || run.shim_held_packets != 0) {
    out.push_back({"nothing_leaked", "shim: " + std::to_string(run.shim_tracked_ops) + " ops still tracked and " +
                                         std::to_string(run.shim_held_packets) + " packets still held after shutdown"});
  }
}

void one_packet_per_op(const RunResult& run, std::vector<Violation>& out) {
  if (!run.shutdown_done) return;
  for (const std::string& p : run.completion_problems) out.push_back({"one_packet_per_op", p});
}

// Every event the run wrote is one the catalogue lists, with the fields and types it lists: the
// whole library checks the catalogue (and so EVENTS.md and the schema) against the engine.
void events_well_formed(const RunResult& run, std::vector<Violation>& out) {
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    const engine::Event& e = run.events[i];
    const engine::EventKind* kind = engine::find_event_kind(e.name);
    const std::string problem = kind == nullptr ? "event " + e.name + " is not in the catalogue"
                                                : engine::event_fields_problem(*kind, e.fields);
    if (!problem.empty()) {
      out.push_back({"events_well_formed",
                     "event catalogue: " + problem + " (event " + std::to_string(i) + ": " + event_line(run, i) + ")"});
      return;  // one is enough to say the catalogue and the engine disagree
    }
  }
}

void commands_end_once(const RunResult& run, std::vector<Violation>& out) {
  if (!run.shutdown_done) return;  // commands still in flight end with the shutdown
  std::set<std::string> devices;
  for (const auto& [d, n] : run.commands_accepted) devices.insert(d);
  for (const auto& [d, n] : run.command_outcomes) devices.insert(d);
  for (const std::string& d : devices) {
    const auto count = [&](const std::map<std::string, std::uint64_t>& m) {
      const auto it = m.find(d);
      return it == m.end() ? std::uint64_t{0} : it->second;
    };
    const std::uint64_t accepted = count(run.commands_accepted);
    const std::uint64_t ended = count(run.command_outcomes);
    if (accepted != ended) {
      out.push_back({"commands_end_once", "device " + d + ": " + std::to_string(accepted) + " commands accepted, " +
                                              std::to_string(ended) +
                                              " outcomes reported (each must end exactly once)"});
    }
  }
}

void telemetry_accounted(const RunResult& run, std::vector<Violation>& out) {
  for (const std::string& p : delivery_problems(run)) out.push_back({"telemetry_accounted", "delivery: " + p});
}

// Whatever the faults, the host sends only whole, valid frames: a short send is resumed, a
// reset ends the stream between frames or inside one that is never completed.
void host_frames_intact(const RunResult& run, std::vector<Violation>& out) {
  for (const auto& [device, record] : run.device_records) {
    const std::uint64_t errors = record.value("decode_errors", std::uint64_t{0});
    if (errors != 0) {
      out.push_back({"host_frames_intact",
                     "device " + device + " could not decode the host's bytes " + std::to_string(errors) + " times"});
    }
  }
}

void untouched_devices_ready(const RunResult& run, const InvariantScope& scope, std::vector<Violation>& out) {
  if (!run.error.empty()) return;
  for (const std::string& d : scope.untouched_devices) {
    const auto it = run.final_states.find(d);
    if (it == run.final_states.end() || it->second == "ready") continue;
    out.push_back({"untouched_devices_ready",
                   "device " + d + ", with no fault placed on it, was " + it->second + " at the end of the run phase"});
  }
}

}  // namespace

const std::vector<InvariantSpec>& invariant_table() {
  static const std::vector<InvariantSpec> table = {
      {"run_completed",
       "the run ended on its own: no crash, no error, no hang (the simulated world ends a run that deadlocks, "
       "livelocks or outlives its virtual time), within the scenario's limit_ms"},
      {"nothing_leaked",
       "after the engine's shutdown, every op context and connection context is released, and the fault shim holds "
       "no op and no packet"},
      {"one_packet_per_op",
       "the engine dequeues exactly one completion packet for each operation that owed one (it pended, or succeeded "
       "at once on a socket not in skip mode, or was posted), none for one that failed at once, and no packet "
       "twice; after shutdown nothing is owed"},
      {"events_well_formed", "every event is in the engine's event catalogue, with the fields and types it lists"},
      {"commands_end_once",
       "every command the engine accepted ends in exactly one outcome (ok, device_status, timeout, connection_lost, "
       "shutdown)"},
      {"telemetry_accounted",
       "no telemetry sample is delivered twice, out of its channel's order or without being sent, and every intact "
       "sample sent is delivered or reported lost (a telemetry_gap, or its connection closed)"},
      {"host_frames_intact",
       "every byte the host sends decodes as a valid frame on the device: a short or partial send is resumed "
       "where it stopped, never skipped or repeated"},
      {"untouched_devices_ready",
       "(explore) a device on which no fault was placed, and whose script does nothing hostile, is ready when the "
       "run phase ends"},
      {"explore_draw_valid",
       "(explore) every variant explore draws is a valid scenario file: a refused one is explore's own mistake"},
  };
  return table;
}

std::vector<Violation> check_invariants(const RunResult& run, const InvariantScope& scope) {
  std::vector<Violation> out;
  run_completed(run, scope, out);
  nothing_leaked(run, out);
  one_packet_per_op(run, out);
  events_well_formed(run, out);
  commands_end_once(run, out);
  if (scope.delivery) telemetry_accounted(run, out);
  host_frames_intact(run, out);
  untouched_devices_ready(run, scope, out);
  return out;
}

std::string invariant_markdown() {
  std::string md = "| invariant | what must hold |\n|---|---|\n";
  for (const InvariantSpec& i : invariant_table()) md += "| `" + std::string(i.name) + "` | " + i.meaning + " |\n";
  return md;
}

}  // namespace iocpsim::scenario
