// The table of fault outcomes: for each outcome a rule can force, its name, the rows of
// IOCP-SEMANTICS.md it produces, the calls it applies to, its parameters (key, range, default,
// meaning), what the caller sees and how the shim keeps the world consistent.
//
// The Outcome enum is declared here, above the table; the table has exactly one entry per
// enumerator (it refuses to load otherwise, and FaultOutcomeTableTest checks it).
//
// Everything else about outcomes comes from this table: outcome_name() and outcome_from_name(),
// allowed_calls(), the keys and ranges the JSON reader accepts, the `faultRule` part of
// scenarios/schema.json and the outcome tables of FAULTS.md (both written by `iocpsim generate`).
// A new outcome is one entry here plus its handling in the shim.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iocpsim/iocp/fault_calls.hpp"

namespace iocpsim::iocp {

// What a rule makes happen. The comment names the row of IOCP-SEMANTICS.md.
enum class Outcome : std::uint8_t {
  success,                // R1 R8: the op completes, moving at most `bytes`
  short_send,             // R8: a send completes having moved only `bytes`
  peer_fin,               // R4: the peer half-closed; the recv completes TRUE with 0 bytes
  peer_reset,             // R5 R5d, then R5b: the peer reset the connection
  local_abort,            // R6: the local stack aborted the connection (1236)
  cancelled,              // R7 R6b: the op is cancelled (995)
  sync_success,           // R9: the call succeeds at once and a packet is queued
  sync_success_skip,      // R9b: the call succeeds at once and no packet is queued
  immediate_error,        // R10 (R5b with 10054): the call fails at once, no packet
  connect_refused,        // R12: 1225
  connect_timeout,        // R12: 121
  network_unreachable,    // R12: 1231
  host_unreachable,       // R12: 1232
  wait_timeout,           // R2: the wait ends with nothing
  port_closed,            // R3: the port is closed under the waiter
  spurious_wakeup,        // R11: a packet with no OVERLAPPED that nobody posted
  reorder,                // R15: a completion is held and delivered after a later one
  deliver_before_return,  // R15: the completion is dequeued before the issuing call returns
  mixed_batch,            // R14: one GQCSEx batch holds successes and failures
  connect_unanswered,     // R7 R6b: ConnectEx pends until it is cancelled or its socket closed
  peer_not_reading,       // R7 R6: sends pend, moving nothing, until cancelled or closed
  skip_mode_ignored,      // R9: skip-on-success answers TRUE but is not set; packets still come
  skip_mode_refused,      // R9b: SetFileCompletionNotificationModes fails with 87
  kCount
};

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
