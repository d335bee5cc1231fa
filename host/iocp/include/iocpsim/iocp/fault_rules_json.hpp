// The `faults` section of a scenario file, as JSON: one object per rule (FAULTS.md).
//
// A malformed rule throws FaultRuleError whose message names the JSON path of the mistake and
// the expected form, e.g. `faults[2].when.nth: expected a positive integer, got 0`.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "iocpsim/iocp/fault_rules.hpp"

namespace iocpsim::iocp {

// `faults` is the array; `path` names it in messages.
std::vector<FaultRule> parse_fault_rules(const nlohmann::json& faults, const std::string& path = "faults");
// The same from text holding the array itself.
std::vector<FaultRule> parse_fault_rules_text(std::string_view text);

}  // namespace iocpsim::iocp
