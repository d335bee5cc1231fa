// Exploration: each run takes a scenario file as its base, draws from its seed a set of faults
// (swarm testing: a random subset of fault kinds is enabled, then faults of those kinds are placed
// on random devices at random points) and an interleaving of the engine's workers, runs it in the
// simulated world and checks the universal invariants (invariants.hpp). A failure is shrunk, fault
// by fault, to the smallest set that still breaks the same invariant, and written as an ordinary
// scenario file that `iocpsim run` replays.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/world/scheduler.hpp"

namespace iocpsim::scenario {

// One fault placed on a base scenario: a rule for the fault shim, or a device step.
struct Placement {
  enum class Kind : std::uint8_t { rule, step };
  Kind kind = Kind::rule;
  std::string device;           // the device it targets ("" for a port rule)
  nlohmann::ordered_json json;  // the rule, or the steps (a wait, then the misbehaviour) to insert
  std::size_t position = 0;     // step: the index of the device's base script it is inserted before
  std::string describe() const;
};

// A base scenario as explore uses it: the file's JSON and what explore may do to it.
struct ExploreBase {
  std::string file;
  nlohmann::ordered_json document;
  std::vector<std::string> devices;           // in file order
  std::map<std::string, std::size_t> script;  // device -> its base script's length
  std::map<std::string, bool> hostile;        // device -> its base script misbehaves already
  bool has_faults = false;                    // the file arms fault rules of its own
};

// Reads a file as a base: "" and `base` filled, or why it cannot be one (invalid, real-only, a
// file that expects to fail).
std::string read_explore_base(const std::string& file, ExploreBase& base);

struct ExploreOptions {
  std::uint64_t seed = 1;    // the sweep's seed: run k's seed comes from it and k alone
  std::uint64_t runs = 100;  // runs of the sweep (all shards together)
  double time_budget_s = 0;  // > 0: stop starting runs after this long (wall clock)
  unsigned shard_index = 0;  // this shard runs k with k % shard_count == shard_index
  unsigned shard_count = 1;
  world::ScheduleOptions schedule;           // strategy and its parameter; its seed comes from each run's
  unsigned max_faults = 4;                   // faults placed per run: 1 .. max_faults
  std::string out_dir = "explore-failures";  // shrunk failures are written here
  unsigned max_failures = 3;                 // stop after this many distinct failures
};

// The seed of run k of a sweep.
std::uint64_t explore_run_seed(std::uint64_t sweep_seed, std::uint64_t k);
// The run numbers of one shard, in order.
std::vector<std::uint64_t> shard_runs(const ExploreOptions& o);

// Run k's draw: which base, which faults.
struct ExploreDraw {
  std::size_t base = 0;
  std::uint64_t seed = 0;
  std::vector<std::string> kinds;  // the fault kinds enabled for this run (swarm)
  std::vector<Placement> faults;
};
ExploreDraw draw_run(const std::vector<ExploreBase>& bases, std::uint64_t k, const ExploreOptions& o);

// The base with the placements applied, expectations replaced by the invariants (and
// `untouched` devices expected ready), as a scenario document.
nlohmann::ordered_json apply_placements(const ExploreBase& base, const std::vector<Placement>& faults,
                                        const std::string& name, const std::string& description);

struct ExploreFailure {
  std::string base_file;
  std::uint64_t run = 0;
  std::uint64_t seed = 0;
  std::string invariant;
  std::string detail;
  std::size_t faults_drawn = 0;
  std::vector<Placement> shrunk;
  std::uint64_t shrink_runs = 0;
  double shrink_s = 0;
  std::string written;   // the scenario file written
  bool replays = false;  // `iocpsim run` of that file fails the same way
  std::string command;   // the command line that replays it
};

struct ExploreReport {
  std::uint64_t runs = 0;
  std::uint64_t invariant_checks = 0;
  double seconds = 0;
  std::map<std::string, std::uint64_t> rows;         // row id -> events carrying it, over all runs
  std::map<std::string, std::uint64_t> kinds_drawn;  // fault kind -> placements
  std::vector<ExploreFailure> failures;
  double pct_bound = 0;  // pct: the probability bound 1/(n k^(d-1)) for the depth asked
};

// Runs the shard's share of the sweep; `progress` gets one line per failure and per 100 runs.
ExploreReport explore(const std::vector<ExploreBase>& bases, const ExploreOptions& o,
                      const std::function<void(const std::string&)>& progress = {});

// The JUnit XML report of a sweep: the sweep as one testcase (its runs and time), and each failure
// as a failed one with its shrunk faults, the file written and the command that replays it. The
// reports of a sweep's shards merge as any JUnit files do.
std::string explore_junit(const ExploreReport& r, const ExploreOptions& o);

// The command line that replays a written file.
std::string replay_command(const std::string& file, const world::ScheduleOptions& schedule);

}  // namespace iocpsim::scenario
