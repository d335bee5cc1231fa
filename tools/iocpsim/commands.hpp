// The iocpsim subcommands. Each returns the process exit code (iocpsim/program.hpp): 0 all
// good, 1 a scenario failed, 2 bad usage or invalid input, 3 nothing matched, 4 a report could
// not be written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "iocpsim/scenario/explore.hpp"
#include "iocpsim/scenario/runner.hpp"

namespace iocpsim::cli {

struct RunSettings {
  std::vector<std::string> paths;
  std::string junit;
  std::vector<std::string> filters;  // every one must match (matches_filters)
  unsigned repeat = 1;
  unsigned jobs = 1;
  std::optional<std::uint64_t> seed;
  bool verbose = false;
  std::string timeline;
  bool stop_on_invalid = false;          // the old way: one invalid file and nothing runs
  bool isolate = true;                   // each run in a child process (where supported)
  std::string self;                      // the program each child process starts (this one)
  std::uint32_t hang_grace_ms = 10'000;  // past limit_ms, a run that has not ended is hung
  scenario::World world = scenario::World::real;
  std::string schedule;            // sim: the scheduling strategy (parse_schedule), "" for the default
  bool check_determinism = false;  // each run twice: a difference in the traces fails it
  std::string trace_out;           // write every run's trace (JSON lines) to FILE
};

int run_command(const RunSettings& settings);

struct ExploreSettings {
  std::vector<std::string> paths;
  scenario::ExploreOptions options;
  bool runs_given = false;  // --runs was given (with --time-budget, whichever ends first)
  double time_budget_s = 0;
  unsigned shard_index = 0;
  unsigned shard_count = 0;  // 0: from GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX, else 1
  bool list_seeds = false;
  bool verbose = false;
  std::string junit;  // "" or where the JUnit report goes
};
// 0 no invariant broke, 1 failures found (each shrunk and written), 2 invalid input.
int explore_command(ExploreSettings settings);
// The hidden `play-child` subcommand: one run, reported to the parent (play.hpp).
int play_child(const std::string& file, std::uint64_t seed, scenario::World world, const std::string& schedule);
int validate_command(const std::vector<std::string>& paths);
int list_command(const std::vector<std::string>& paths, const std::vector<std::string>& filters, bool json);
// Prints scenarios/schema.json as the tables produce it.
int schema_command();
// Rewrites (or with `check`, compares) every generated file under the source root `root`:
// 0 current (or rewritten), 1 stale under --check, 2 a file or marker missing.
int generate_command(const std::string& root, bool check);

}  // namespace iocpsim::cli
