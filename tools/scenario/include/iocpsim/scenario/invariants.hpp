// The universal invariants: what must hold after every run, whatever the scenario expects. Each has
// a stable name (scenarios/README.md lists them); `iocpsim run` checks them before a file's own
// expectations, and `iocpsim explore` checks nothing else.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "iocpsim/scenario/runner.hpp"

namespace iocpsim::scenario {

struct InvariantSpec {
  const char* name;
  const char* meaning;
};

// Every invariant, in the order they are checked.
const std::vector<InvariantSpec>& invariant_table();

struct Violation {
  std::string invariant;  // a name of invariant_table()
  std::string detail;     // what went wrong, readable alone
};

// What a check may assume about the run beyond its result.
struct InvariantScope {
  std::uint32_t limit_ms = 0;  // the scenario's limit_ms, for the message of a run that took longer
  // telemetry_accounted applies: a file whose device repeats or invents samples on purpose
  // waives it ("expect": {"delivery": false}).
  bool delivery = true;
  // Devices nothing was done to: no misbehaving step in their script, no fault rule on their
  // connections, no port fault. Each must be ready at the end of the run phase.
  std::set<std::string> untouched_devices;
};

std::vector<Violation> check_invariants(const RunResult& run, const InvariantScope& scope);

// The markdown table of invariant_table() (name and meaning).
std::string invariant_markdown();

}  // namespace iocpsim::scenario
