// iocpsim: runs scenario files against the engine, validates them, lists them.
#include <CLI/CLI.hpp>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"iocpsim: play scenario files against the host engine under the fault shim"};
  app.allow_windows_style_options(false);
  app.require_subcommand(1);

  iocpsim::cli::RunSettings run;
  std::uint64_t seed = 0;
  CLI::App* run_cmd = app.add_subcommand("run", "Run scenarios (default: scenarios/)");
  run_cmd->add_option("paths", run.paths, "Scenario files or directories");
  run_cmd->add_option("--junit", run.junit, "Write a JUnit XML report to FILE");
  run_cmd->add_option("--filter", run.filter, "Only scenarios whose name, tag or path contains TEXT or matches it as a regex");
  run_cmd->add_option("--repeat", run.repeat, "Run each scenario N times (seed, seed+1, ...)")->check(CLI::Range(1u, 100000u));
  run_cmd->add_option("--jobs", run.jobs, "Run N scenarios at once")->check(CLI::Range(1u, 64u));
  CLI::Option* seed_opt = run_cmd->add_option("--seed", seed, "Seed for every run (overrides the files)");
  run_cmd->add_flag("--verbose", run.verbose, "Every unmet expectation and the whole timeline on failure");
  run_cmd->add_option("--timeline", run.timeline, "Write an HTML timeline of the runs to FILE");

  std::vector<std::string> validate_paths;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check scenario files without running them");
  validate_cmd->add_option("paths", validate_paths, "Scenario files or directories");

  std::vector<std::string> list_paths;
  bool list_json = false;
  CLI::App* list_cmd = app.add_subcommand("list", "List scenarios: name, tier, tags, rows, description");
  list_cmd->add_option("paths", list_paths, "Scenario files or directories");
  list_cmd->add_flag("--json", list_json, "One JSON array");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*run_cmd) {
    if (*seed_opt) run.seed = seed;
    return iocpsim::cli::run_command(run);
  }
  if (*validate_cmd) return iocpsim::cli::validate_command(validate_paths);
  return iocpsim::cli::list_command(list_paths, list_json);
}
