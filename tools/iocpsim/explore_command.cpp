// iocpsim explore: the sweep's settings, its report, and the files it writes.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "iocpsim/program.hpp"
#include "iocpsim/scenario/explore.hpp"
#include "iocpsim/scenario/invariants.hpp"
#include "iocpsim/scenario/suite.hpp"

namespace iocpsim::cli {
namespace {

// GoogleTest's sharding convention, for a sweep fanned out by CTest, a CI matrix or a job array.
void shard_from_environment(ExploreSettings& s) {
  if (s.shard_count != 0) return;
  const char* total = std::getenv("GTEST_TOTAL_SHARDS");
  const char* index = std::getenv("GTEST_SHARD_INDEX");
  if (total == nullptr || index == nullptr) return;
  s.shard_count = static_cast<unsigned>(std::strtoul(total, nullptr, 10));
  s.shard_index = static_cast<unsigned>(std::strtoul(index, nullptr, 10));
}

}  // namespace

int explore_command(ExploreSettings settings) {
  shard_from_environment(settings);
  if (settings.shard_count == 0) settings.shard_count = 1;
  if (settings.shard_index >= settings.shard_count) {
    std::cerr << "iocpsim explore: shard " << settings.shard_index << " of " << settings.shard_count
              << " does not exist (the index counts from 0)\n";
    return program::kBadInput;
  }
  scenario::ExploreOptions o = settings.options;
  o.shard_index = settings.shard_index;
  o.shard_count = settings.shard_count;
  if (settings.time_budget_s > 0) {
    o.time_budget_s = settings.time_budget_s;
    if (!settings.runs_given) o.runs = std::uint64_t{1} << 62;  // the budget decides
  }
  if (settings.list_seeds && !settings.runs_given && settings.time_budget_s > 0) {
    std::cerr << "iocpsim explore: --list-seeds needs --runs: a time budget does not say how many runs there will be\n";
    return program::kBadInput;
  }
  if (settings.list_seeds) {
    for (const std::uint64_t k : scenario::shard_runs(o)) std::cout << scenario::explore_run_seed(o.seed, k) << "\n";
    return program::kOk;
  }
  std::vector<std::string> problems;
  const std::vector<std::string> files = scenario::collect_scenario_files(
      settings.paths.empty() ? std::vector<std::string>{"scenarios"} : settings.paths, problems);
  for (const std::string& p : problems) std::cerr << "iocpsim explore: " << p << "\n";
  if (!problems.empty()) return program::kBadInput;
  std::vector<scenario::ExploreBase> bases;
  for (const std::string& f : files) {
    scenario::ExploreBase b;
    const std::string why = scenario::read_explore_base(f, b);
    if (!why.empty()) {
      if (settings.verbose) std::cerr << "explore: not a base: " << f << ": " << why << "\n";
      continue;
    }
    bases.push_back(std::move(b));
  }
  if (bases.empty()) {
    std::cerr << "iocpsim explore: no scenario can be a base (each is invalid, real_only or expects to fail)\n";
    return program::kNothingMatched;
  }
  std::cout << "explore: " << bases.size() << " bases, sweep seed " << o.seed << ", shard " << o.shard_index << "/"
            << o.shard_count << ", up to " << o.max_faults << " faults a run\n";
  const scenario::ExploreReport r =
      scenario::explore(bases, o, [](const std::string& line) { std::cout << "explore: " << line << "\n"; });
  for (const scenario::ExploreFailure& f : r.failures) {
    std::cout << "FAIL " << f.invariant << " (run " << f.run << ", seed " << f.seed << ", " << f.base_file
              << "): " << f.detail << "\n  shrunk from " << f.faults_drawn << " to " << f.shrunk.size() << " faults in "
              << f.shrink_runs << " runs (" << f.shrink_s << " s):\n";
    for (const scenario::Placement& p : f.shrunk) std::cout << "    " << p.describe() << "\n";
    std::cout << "  written: " << f.written << (f.replays ? " (replays: it fails under run)" : " (does NOT replay)")
              << "\n  replay: " << f.command << "\n";
  }
  std::cout << "rows reached:";
  for (const auto& [row, n] : r.rows) std::cout << " " << row << "=" << n;
  std::cout << "\nfault kinds placed:";
  for (const auto& [kind, n] : r.kinds_drawn) std::cout << " " << kind << "=" << n;
  std::cout << "\n";
  if (o.schedule.strategy == world::Strategy::pct) {
    std::printf("pct depth %u: each run finds a bug of that depth with probability >= %.3g\n", o.schedule.pct_depth,
                r.pct_bound);
  }
  if (!settings.junit.empty()) {
    std::ofstream out(settings.junit, std::ios::binary);
    out << scenario::explore_junit(r, o);
    if (!out.good()) {
      std::cerr << settings.junit << ": cannot be written\n";
      return program::kEnvironment;
    }
  }
  const double per_s = r.seconds > 0 ? static_cast<double>(r.runs) / r.seconds : 0;
  std::printf("%llu runs, %llu invariant checks, %zu failures in %.1f s: %.0f runs/s\n",
              static_cast<unsigned long long>(r.runs), static_cast<unsigned long long>(r.invariant_checks),
              r.failures.size(), r.seconds, per_s);
  return r.failures.empty() ? program::kOk : program::kFailed;
}

}  // namespace iocpsim::cli
