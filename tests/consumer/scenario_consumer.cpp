// Uses the scenario runner as a library: loads the file named on the command line, plays it in the
// simulated world and judges it as `iocpsim run --world sim` would. Exit 0 when it passes.
#include <cstdio>

#include "iocpsim/scenario/expect.hpp"
#include "iocpsim/scenario/load.hpp"
#include "iocpsim/scenario/runner.hpp"

namespace sc = iocpsim::scenario;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SCENARIO.json\n", argv[0]);
    return 2;
  }
  try {
    const sc::Scenario scenario = sc::load_scenario(argv[1]);
    sc::RunOptions options;
    options.world = sc::World::sim;
    sc::RunResult run = sc::run_scenario(scenario, options);
    const sc::Judgement verdict = sc::judge(scenario, run);
    std::printf("scenario_consumer: %s %s (%zu events)\n", verdict.passed ? "PASS" : "FAIL", scenario.name.c_str(),
                run.events.size());
    return verdict.passed ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scenario_consumer: %s\n", e.what());
    return 2;
  }
}
