// Every step kind of the registry on the simulated network, the library's unused ones included:
// its catalogue example, as the whole script of a device the engine connects to, plays to a clean
// end — the run completes, nothing leaks, the host's frames decode, every event is well formed —
// and the same seed gives the same trace twice.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "iocpsim/devsim/step_registry.hpp"
#include "iocpsim/scenario/invariants.hpp"
#include "iocpsim/scenario/load.hpp"
#include "iocpsim/scenario/runner.hpp"

namespace iocpsim::scenario {
namespace {

std::vector<std::string> step_kinds() {
  std::vector<std::string> names;
  for (const devsim::StepKind* k : devsim::StepRegistry::global().all()) names.push_back(k->name);
  return names;
}

Scenario one_step_scenario(const devsim::StepKind& kind) {
  const nlohmann::json file = {
      {"name", "step-example"},
      {"tier", "smoke"},
      {"description", "The example of one step kind as a device's whole script."},
      {"devices", {{{"name", "d"}, {"script", nlohmann::json::array({nlohmann::json::parse(kind.example)})}}}},
      // Long enough for every example's own waits (the longest is a few seconds of virtual time; limit_ms is 15 s).
      {"run", {{"max_ms", 10000}, {"settle_ms", 100}}},
      {"expect", nlohmann::json::object()}};
  return parse_scenario_json(file, kind.name + ".json");
}

class EveryStepKindSimulated : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryStepKindSimulated, PlaysItsExampleToACleanEndTheSameWayTwice) {
  const devsim::StepKind* kind = devsim::StepRegistry::global().find(GetParam());
  ASSERT_NE(kind, nullptr);
  const Scenario s = one_step_scenario(*kind);
  const RunOptions options{1, nullptr, World::sim, {}};
  const RunResult first = run_scenario(s, options);
  EXPECT_EQ(first.error, "") << kind->example;
  EXPECT_FALSE(first.timed_out) << kind->example;
  InvariantScope scope;
  scope.limit_ms = s.limit_ms;
  scope.delivery = false;  // send_hex and send may repeat or invent samples on purpose
  for (const Violation& v : check_invariants(first, scope)) ADD_FAILURE() << v.invariant << ": " << v.detail;
  const RunResult second = run_scenario(s, options);
  EXPECT_EQ(first_trace_difference(first.trace(), second.trace()), "") << kind->example;
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryStepKindSimulated, ::testing::ValuesIn(step_kinds()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace iocpsim::scenario
