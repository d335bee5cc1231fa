// Judging a run: every expectation of the scenario, in a fixed order, against what the run
// recorded; the first unmet one is the headline of a failure.
#pragma once

#include <string>
#include <vector>

#include "iocpsim/scenario/runner.hpp"
#include "iocpsim/scenario/scenario.hpp"

namespace iocpsim::scenario {

// Every unmet expectation, in this order: the run itself (error, time limit), leaks (always
// checked), expect.events, never, final_state, counters, commands, device, delivery, shutdown.
std::vector<std::string> unmet_expectations(const Scenario& scenario, const RunResult& run);

// The delivery accounting alone (see `expect.delivery`): one line per sample that went wrong.
std::vector<std::string> delivery_problems(const RunResult& run);

struct Judgement {
  std::string verdict;        // of the run: "pass", "fail", "error", "timeout"
  bool passed = false;        // the scenario passed: the verdict is the one the file expects
  std::string first_failure;  // the first unmet expectation ("" if none)
  std::vector<std::string> unmet;
  std::string summary() const;  // "pass", "pass (failed as expected: ...)", "fail: ...", ...
};

// Judges the run and writes the verdict and first failure into run.timeline.
Judgement judge(const Scenario& scenario, RunResult& run);

// "+12.345 ms"
std::string run_time(std::int64_t t_us);

}  // namespace iocpsim::scenario
