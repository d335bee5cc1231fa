// The table of fault outcomes: for each outcome a rule can force, its name, the rows of
// IOCP-SEMANTICS.md it produces, the calls it applies to, its parameters (key, range, default,
// meaning), what the caller sees and how the shim keeps the world consistent.
//
// Everything else about outcomes comes from this table: outcome_name() and outcome_from_name(),
// allowed_calls(), the keys and ranges the JSON reader accepts, the `faultRule` part of
// scenarios/schema.json and the outcome tables of FAULTS.md (both written by `iocpsim generate`).
// A new outcome is one entry here plus its handling in the shim.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "iocpsim/iocp/fault_rules.hpp"

namespace iocpsim::iocp {

// A parameter of an outcome: a non-negative integer a rule may set (FaultRule's member of the
// same name).
struct OutcomeParameter {
  const char* key;  // "bytes", "error", "key" or "wait_ms"
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  std::optional<std::uint64_t> fallback;  // the value when the rule does not set it
  const char* unset = "";                 // what happens when it is not set and there is no fallback
  const char* meaning = "";
  std::vector<std::uint64_t> excluded{};  // values in range that are still not allowed
  const char* excluded_why = "";
};

struct OutcomeSpec {
  Outcome outcome;
  const char* name;
  const char* rows;  // e.g. "R5 R5d"
  CallSet calls;     // the calls it can apply to
  std::vector<OutcomeParameter> parameters;
  const char* caller_sees;
  const char* how;  // how the world is kept consistent
};

// Every outcome, in the order the docs list them (per operation, then per port).
const std::vector<OutcomeSpec>& outcome_table();
const OutcomeSpec& outcome_spec(Outcome o);
// The parameter `key` of `o`, or nullptr if `o` takes none by that name.
const OutcomeParameter* outcome_parameter(Outcome o, const std::string& key);

// What an outcome changes: an operation, a wait on the port, or a socket's completion mode.
enum class OutcomeGroup : std::uint8_t { operation, port, socket_mode };
OutcomeGroup outcome_group(Outcome o);

// Every call a rule can watch, with the short forms (GQCS, GQCSEx), as they are written in files.
std::vector<std::string> watchable_call_names();

// The JSON Schema of one rule (scenarios/schema.json's $defs.faultRule) and of a call name
// ($defs.faultCall), as JSON text.
std::string fault_rule_schema_json();
std::string fault_call_schema_json();
// FAULTS.md's table of the outcomes of one group, and of their parameters.
std::string outcome_markdown(OutcomeGroup group);

}  // namespace iocpsim::iocp
