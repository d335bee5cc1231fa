// iocpsim: runs scenario files against the engine, validates them, lists them.
#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdio>
#include <iostream>

#include "child_process.hpp"
#include "commands.hpp"
#include "iocpsim/program.hpp"
#include "play.hpp"

namespace {

// A seed is a whole number from 0 to 2^64 - 1, written in decimal: "-1" or "18446744073709551616"
// is a mistake, not a wrapped-around seed.
std::string check_seed(const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return "expected a whole number from 0 to 18446744073709551615, got \"" + text + "\"";
  }
  return "";
}

std::uint64_t seed_of(const std::string& text) {
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"iocpsim: play scenario files against the host engine under the fault shim"};
  app.allow_windows_style_options(false);
  app.require_subcommand(1);
  app.set_version_flag("--version", iocpsim::program::version_line("iocpsim"));
  app.footer(
      "Exit codes: 0 all passed, 1 a scenario failed (explore: a failure was found), 2 bad usage or an "
      "invalid file, 3 nothing matched, 4 a report could not be written.");

  iocpsim::cli::RunSettings run;
  std::string seed;
  CLI::App* run_cmd = app.add_subcommand("run", "Run scenarios (default: scenarios/)");
  run_cmd->add_option("paths", run.paths, "Scenario files or directories");
  run_cmd->add_option("--junit", run.junit, "Write a JUnit XML report to FILE");
  const auto add_filters = [](CLI::App* cmd, std::vector<std::string>& filters) {
    cmd->add_option("--filter", filters,
                    "Only scenarios whose name, a tag or the path contains TEXT or matches it as a regex; "
                    "FIELD:TEXT looks at one field: name:, path:, tag:, tier: or row: (tag, tier and row match "
                    "whole: row:R5b, tier:smoke). Given again, every filter must match")
        ->allow_extra_args(false);
    cmd->add_option_function<std::vector<std::string>>(
           "--tag",
           [&filters](const std::vector<std::string>& tags) {
             for (const std::string& t : tags) filters.push_back("tag:" + t);
           },
           "Only scenarios with this tag (the same as --filter tag:TAG)")
        ->allow_extra_args(false);
  };
  add_filters(run_cmd, run.filters);
  run_cmd->add_option("--repeat", run.repeat, "Run each scenario N times (seed, seed+1, ...)")
      ->check(CLI::Range(1u, 100000u));
  run_cmd->add_option("--jobs", run.jobs, "Run N scenarios at once")->check(CLI::Range(1u, 64u));
  CLI::Option* seed_opt =
      run_cmd->add_option("--seed", seed, "Seed for every run (overrides the files)")->check(check_seed, "SEED");
  run_cmd->add_flag("--verbose", run.verbose, "Every unmet expectation and the whole timeline on failure");
  run_cmd->add_option("--timeline", run.timeline, "Write an HTML timeline of the runs to FILE");
  run_cmd->add_flag("--stop-on-invalid", run.stop_on_invalid, "Run nothing when any file is invalid");
  std::string isolation = iocpsim::cli::child_processes_supported() ? "process" : "none";
  run_cmd
      ->add_option("--isolation", isolation,
                   "process: each run in a child process, so a crash or hang fails only that run (the default where "
                   "supported); none: every run in this process (for a debugger)")
      ->check(CLI::IsMember({"process", "none"}));
  run_cmd
      ->add_option("--hang-grace-ms", run.hang_grace_ms,
                   "How long past its limit_ms a run may go on before it is declared hung (default 10000)")
      ->check(CLI::Range(0u, 3'600'000u));
  std::string world = "real";
  run_cmd
      ->add_option("--world", world,
                   "real: the engine on the host's sockets, devices on loopback, real time (the default); sim: "
                   "the simulated network, threads scheduled by the seed, virtual time: a seed replays a run exactly")
      ->check(CLI::IsMember({"real", "sim"}));
  run_cmd->add_flag("--check-determinism", run.check_determinism,
                    "Run each scenario twice with the same seed; a difference between the two traces fails it, "
                    "naming the first differing line (meaningful with --world sim)");
  run_cmd->add_option("--trace-out", run.trace_out,
                      "Write each run's trace to FILE: a {\"run\":…} line, then one JSON line per engine event (and, "
                      "in sim, what the scheduler did)");
  run_cmd
      ->add_option("--schedule", run.schedule,
                   "With --world sim, how the run's threads are interleaved: random[:P] (another thread may run at "
                   "each scheduling point with chance P, default 0.25) or pct[:D] (priorities with D-1 change points, "
                   "default 3)")
      ->check(CLI::Validator(
          [](std::string& s) {
            return iocpsim::cli::parse_schedule(s)
                       ? std::string()
                       : std::string("expected random, random:P (0..1), pct or pct:D (1..64)");
          },
          "SCHEDULE"));
  std::string child_program;
  run_cmd->add_option("--child-program", child_program,
                      "The program each run's child process starts as `PROGRAM play-child FILE --seed N` (default: "
                      "this one; a wrapper can add a debugger or a sanitizer's options)");

  std::string child_file;
  std::string child_seed = "1";
  CLI::App* child_cmd = app.add_subcommand("play-child", "");  // no description: hidden from --help
  child_cmd->add_option("file", child_file)->required();
  child_cmd->add_option("--seed", child_seed)->check(check_seed, "SEED");
  std::string child_world = "real";
  child_cmd->add_option("--world", child_world)->check(CLI::IsMember({"real", "sim"}));
  std::string child_schedule;
  child_cmd->add_option("--schedule", child_schedule);

  iocpsim::cli::ExploreSettings explore;
  std::string explore_seed = "1";
  std::string explore_shard;
  std::string explore_schedule = "random";
  CLI::App* explore_cmd = app.add_subcommand(
      "explore",
      "Draw faults and interleavings on scenario files in the simulated world, check the invariants, "
      "shrink each failure to a scenario file");
  explore_cmd->add_option("paths", explore.paths,
                          "Scenario files or directories to take as bases (default: scenarios/)");
  CLI::Option* runs_opt = explore_cmd->add_option("--runs", explore.options.runs, "Runs in the sweep (default 100)")
                              ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  explore_cmd->add_option("--time-budget", explore.time_budget_s, "Stop starting runs after S seconds")
      ->check(CLI::Range(0.0, 7.0 * 24 * 3600));
  explore_cmd->add_option("--seed", explore_seed, "The sweep's seed (default 1): run k's seed comes from it")
      ->check(check_seed, "SEED");
  explore_cmd
      ->add_option("--shard", explore_shard,
                   "i/n: run the i-th of n shares of the sweep (0-based); default from GTEST_SHARD_INDEX and "
                   "GTEST_TOTAL_SHARDS")
      ->check(CLI::Validator(
          [](std::string& t) {
            unsigned i = 0, n = 0;
            char extra = 0;
            return std::sscanf(t.c_str(), "%u/%u%c", &i, &n, &extra) == 2 && n >= 1 && i < n
                       ? std::string()
                       : std::string("expected i/n with 0 <= i < n");
          },
          "i/n"));
  explore_cmd
      ->add_option("--strategy", explore_schedule,
                   "How the workers interleave: random[:P] or pct[:D] (as run's --schedule; default random)")
      ->check(CLI::Validator(
          [](std::string& t) {
            return iocpsim::cli::parse_schedule(t) ? std::string() : std::string("expected random[:P] or pct[:D]");
          },
          "STRATEGY"));
  explore_cmd->add_option("--max-faults", explore.options.max_faults, "Faults placed per run: 1 to N (default 4)")
      ->check(CLI::Range(1u, 64u));
  explore_cmd->add_option("--out", explore.options.out_dir,
                          "Where shrunk failures are written (default explore-failures/)");
  explore_cmd
      ->add_option("--max-failures", explore.options.max_failures, "Stop after this many distinct failures (default 3)")
      ->check(CLI::Range(1u, 1000u));
  explore_cmd->add_flag("--list-seeds", explore.list_seeds,
                        "Print the seeds the sweep (or this shard of it) would run, one per line, and run nothing");
  explore_cmd->add_flag("--verbose", explore.verbose, "Say why a file is not taken as a base");
  explore_cmd->add_option("--junit", explore.junit,
                          "Write a JUnit XML report to FILE: the sweep as one testcase, and each failure as one, "
                          "with its shrunk faults, the file written and the command that replays it");

  std::vector<std::string> validate_paths;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check scenario files without running them");
  validate_cmd->add_option("paths", validate_paths, "Scenario files or directories");

  std::vector<std::string> list_paths;
  std::vector<std::string> list_filters;
  bool list_json = false;
  CLI::App* list_cmd = app.add_subcommand("list", "List scenarios: name, tier, tags, rows, description");
  list_cmd->add_option("paths", list_paths, "Scenario files or directories");
  add_filters(list_cmd, list_filters);
  list_cmd->add_flag("--json", list_json, "One JSON array");

  CLI::App* schema_cmd = app.add_subcommand("schema", "Print the scenario file's JSON Schema (scenarios/schema.json)");
  std::string generate_root = ".";
  bool generate_check = false;
  CLI::App* generate_cmd = app.add_subcommand(
      "generate", "Rewrite the files generated from the vocabulary tables: the schema and the docs' reference tables");
  generate_cmd->add_option("--root", generate_root, "The project's source root (default: the current directory)");
  generate_cmd->add_flag("--check", generate_check, "Change nothing; exit 1 if a generated file is not current");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? iocpsim::program::kOk : iocpsim::program::kBadInput;
  }
  const auto world_of = [](const std::string& w) {
    return w == "sim" ? iocpsim::scenario::World::sim : iocpsim::scenario::World::real;
  };
  if (*child_cmd)
    return iocpsim::cli::play_child(child_file, seed_of(child_seed), world_of(child_world), child_schedule);
  if (*explore_cmd) {
    explore.options.seed = seed_of(explore_seed);
    explore.runs_given = runs_opt->count() > 0;
    if (!explore_shard.empty()) std::sscanf(explore_shard.c_str(), "%u/%u", &explore.shard_index, &explore.shard_count);
    explore.options.schedule = *iocpsim::cli::parse_schedule(explore_schedule);
    return iocpsim::cli::explore_command(explore);
  }
  if (*run_cmd) {
    if (*seed_opt) run.seed = seed_of(seed);
    if (isolation == "process" && !iocpsim::cli::child_processes_supported()) {
      std::cerr << "--isolation process: child processes are not supported on this platform\n";
      return 2;
    }
    run.isolate = isolation == "process";
    run.world = world_of(world);
    run.self = child_program.empty() ? iocpsim::cli::self_path(argv[0]) : child_program;
    return iocpsim::cli::run_command(run);
  }
  if (*validate_cmd) return iocpsim::cli::validate_command(validate_paths);
  if (*schema_cmd) return iocpsim::cli::schema_command();
  if (*generate_cmd) return iocpsim::cli::generate_command(generate_root, generate_check);
  return iocpsim::cli::list_command(list_paths, list_filters, list_json);
}
