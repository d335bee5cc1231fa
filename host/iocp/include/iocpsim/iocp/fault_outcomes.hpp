// The fault outcomes: the list of them, and the table that says, for each outcome a rule can
// force, the rows of IOCP-SEMANTICS.md it produces, the calls it applies to, its parameters (key,
// range, default, meaning), what the caller sees and how the shim keeps the world consistent.
//
// Everything else about outcomes comes from these two: the Outcome enum, outcome_name() and
// outcome_from_name(), allowed_calls(), the keys and ranges the JSON reader accepts and its
// messages, the `faultRule` part of scenarios/schema.json and the outcome tables of FAULTS.md
// (both written by `iocpsim generate`). A new outcome is its line in IOCPSIM_FAULT_OUTCOMES, its
// entry in outcome_table() (fault_outcomes.cpp), and its handling in the shim.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iocpsim/iocp/fault_calls.hpp"

namespace iocpsim::iocp {

// Every outcome, once: X(name) makes the enumerator Outcome::name and the name files use. Each
// has exactly one entry in outcome_table(), which says the rest (the table refuses to load
// otherwise, and FaultOutcomeTableTest checks it).
#define IOCPSIM_FAULT_OUTCOMES(X) \
  X(success)                      \
  X(short_send)                   \
  X(peer_fin)                     \
  X(peer_reset)                   \
  X(local_abort)                  \
  X(cancelled)                    \
  X(sync_success)                 \
  X(sync_success_skip)            \
  X(immediate_error)              \
  X(connect_refused)              \
  X(connect_timeout)              \
  X(network_unreachable)          \
  X(host_unreachable)             \
  X(wait_timeout)                 \
  X(port_closed)                  \
  X(spurious_wakeup)              \
  X(reorder)                      \
  X(deliver_before_return)        \
  X(mixed_batch)                  \
  X(connect_unanswered)           \
  X(peer_not_reading)             \
  X(skip_mode_ignored)            \
  X(skip_mode_refused)

// What a rule makes happen.
// clang-format off
enum class Outcome : std::uint8_t {
#define IOCPSIM_OUTCOME_ENUMERATOR(name) name,
  IOCPSIM_FAULT_OUTCOMES(IOCPSIM_OUTCOME_ENUMERATOR)
#undef IOCPSIM_OUTCOME_ENUMERATOR
  kCount
};
// clang-format on

const char* outcome_name(Outcome o);
std::optional<Outcome> outcome_from_name(std::string_view name);
// The calls an outcome can apply to; a rule that names no call watches all of them.
CallSet allowed_calls(Outcome o);

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

  // Nothing if a rule may give `value`, else what is wrong with it and what was expected:
  // "<value> <excluded_why>; expected <meaning>", or out_of_range(<value>).
  std::optional<std::string> problem(std::uint64_t value) const;
  // What is wrong with a value outside the range, or not a non-negative integer at all, as it was
  // written (`given`): "expected an integer from <min> to <max> (<meaning>), got <given>".
  std::string out_of_range(const std::string& given) const;
};

// An outcome's entry in the table; its name is the enumerator's (IOCPSIM_FAULT_OUTCOMES).
struct OutcomeSpec {
  Outcome outcome;
  const char* rows;  // e.g. "R5 R5d"
  CallSet calls;     // the calls it can apply to
  std::vector<OutcomeParameter> parameters;
  const char* caller_sees;
  const char* how;  // how the world is kept consistent

  const char* name() const { return outcome_name(outcome); }
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
