// Reading fault rules from JSON with json_diag's object reader: every mistake is a PathError
// naming its JSON path and the expected form, as the other hand-written files say theirs.
#include "iocpsim/iocp/fault_rules_json.hpp"

#include <nlohmann/json.hpp>
#include <optional>

#include "iocpsim/iocp/fault_outcomes.hpp"
#include "iocpsim/json_diag/json_reader.hpp"
#include "iocpsim/json_diag/suggest.hpp"

namespace iocpsim::iocp {
namespace shim_detail {
namespace {

using json_diag::JsonReader;
using nlohmann::json;

// `; did you mean "x"?` for a near miss, else "".
std::string suggestion(std::string_view given, const std::vector<std::string>& known) {
  const std::optional<std::string> best = json_diag::nearest(given, known, 3);  // near misses only
  return best ? "; " + json_diag::did_you_mean(*best) : "";
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::vector<std::string> all_outcome_names() {
  std::vector<std::string> out;
  for (const OutcomeSpec& spec : outcome_table()) out.emplace_back(spec.name());
  return out;
}

std::string string_value(const json& v, const std::string& path) {
  if (!v.is_string()) throw FaultRuleError(path, "expected a string, got " + v.dump());
  return v.get<std::string>();
}

// An integer from `min` (0 or 1) up, as the JSON value holds it.
std::uint64_t counted(const json& v, const std::string& path, std::uint64_t min) {
  const bool integer = v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
  if (!integer || v.get<std::uint64_t>() < min) {
    throw FaultRuleError(
        path, std::string("expected a ") + (min == 0 ? "non-negative" : "positive") + " integer, got " + v.dump());
  }
  return v.get<std::uint64_t>();
}

Call parse_call(const json& v, const std::string& path) {
  const std::string name = string_value(v, path);
  const std::optional<Call> c = call_from_name(name);
  if (!c) {
    throw FaultRuleError(path, "unknown call \"" + name + "\"" + suggestion(name, watchable_call_names()) +
                                   "; expected one of " + joined(watchable_call_names()));
  }
  return *c;
}

CallSet parse_calls(const json& v, const std::string& path) {
  if (v.is_string()) return call_bit(parse_call(v, path));
  if (!v.is_array() || v.empty()) {
    throw FaultRuleError(path, "expected a call name or a non-empty array of call names, got " + v.dump());
  }
  CallSet calls = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    calls |= call_bit(parse_call(v[i], path + "[" + std::to_string(i) + "]"));
  }
  return calls;
}

Trigger parse_when(JsonReader when) {
  Trigger t;
  if (when.has("call")) t.calls = parse_calls(when.raw("call"), when.path_of("call"));
  if (when.has("tag")) t.tag = string_value(when.raw("tag"), when.path_of("tag"));
  if (when.has("nth")) t.nth = counted(when.raw("nth"), when.path_of("nth"), 1);
  if (when.has("every")) t.every = counted(when.raw("every"), when.path_of("every"), 1);
  if (when.has("after_ms")) {
    const std::uint64_t ms = counted(when.raw("after_ms"), when.path_of("after_ms"), 0);
    constexpr std::uint64_t kMsMax = UINT64_MAX / 1000;  // as microseconds, it must still fit
    if (ms > kMsMax) {
      throw FaultRuleError(when.path_of("after_ms"),
                           "expected an integer from 0 to " + std::to_string(kMsMax) + ", got " + std::to_string(ms));
    }
    t.after = std::chrono::milliseconds(ms);
  }
  if (when.has("after_bytes")) t.after_bytes = counted(when.raw("after_bytes"), when.path_of("after_bytes"), 0);
  if (when.has("probability")) {
    const json& p = when.raw("probability");
    if (!p.is_number() || !(p.get<double>() > 0.0 && p.get<double>() <= 1.0)) {
      throw FaultRuleError(when.path_of("probability"), "expected a number in (0, 1], got " + p.dump());
    }
    t.probability = p.get<double>();
  }
  when.finish();
  return t;
}

Outcome parse_outcome(JsonReader& rule) {
  if (!rule.has("outcome")) throw rule.missing("outcome", "missing; expected one of " + joined(all_outcome_names()));
  const std::string name = string_value(rule.raw("outcome"), rule.path_of("outcome"));
  const std::optional<Outcome> o = outcome_from_name(name);
  if (!o) {
    throw FaultRuleError(rule.path_of("outcome"), "unknown outcome \"" + name + "\"" +
                                                      suggestion(name, all_outcome_names()) + "; expected one of " +
                                                      joined(all_outcome_names()));
  }
  return *o;
}

// A parameter of the rule's outcome, as its table entry allows it.
std::uint64_t parameter(const json& v, const std::string& path, const OutcomeParameter& p) {
  const bool integer = v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
  if (!integer) throw FaultRuleError(path, p.out_of_range(v.dump()));
  const std::uint64_t value = v.get<std::uint64_t>();
  if (const std::optional<std::string> problem = p.problem(value)) throw FaultRuleError(path, *problem);
  return value;
}

void parse_parameters(JsonReader& rule, FaultRule& r) {
  if (rule.has("times")) {
    const json& t = rule.raw("times");
    if (t.is_string() && t.get<std::string>() == "always") {
      r.times = kAlways;
    } else if (t.is_number_unsigned() && t.get<std::uint64_t>() >= 1) {
      r.times = t.get<std::uint64_t>();
    } else {
      throw FaultRuleError(rule.path_of("times"), "expected a positive integer or \"always\", got " + t.dump());
    }
  }
  for (const OutcomeParameter& p : outcome_spec(r.outcome).parameters) {
    if (!rule.has(p.key)) continue;
    const std::uint64_t value = parameter(rule.raw(p.key), rule.path_of(p.key), p);
    const std::string key = p.key;
    if (key == "bytes") r.bytes = static_cast<DWORD>(value);
    if (key == "error") r.error = static_cast<int>(value);
    if (key == "key") r.key = static_cast<ULONG_PTR>(value);
    if (key == "wait_ms") r.wait_ms = static_cast<DWORD>(value);
  }
}

// A parameter of other outcomes on this one: named as such, with the outcomes it belongs to,
// rather than as an unknown key.
void reject_parameters_of_other_outcomes(const JsonReader& rule, Outcome o) {
  for (const auto& item : rule.value().items()) {
    if (outcome_parameter(o, item.key()) != nullptr) continue;
    std::vector<std::string> owners;
    for (const OutcomeSpec& spec : outcome_table()) {
      if (outcome_parameter(spec.outcome, item.key()) != nullptr) owners.emplace_back(spec.name());
    }
    if (owners.empty()) continue;  // not a parameter at all: finish() says what it is
    std::vector<std::string> own;
    for (const OutcomeParameter& p : outcome_spec(o).parameters) own.emplace_back(p.key);
    throw FaultRuleError(rule.path_of(item.key()),
                         std::string("applies to outcome") + (owners.size() > 1 ? "s " : " ") + joined(owners) +
                             ", not to " + outcome_name(o) + "; " + outcome_name(o) +
                             (own.empty() ? " takes no parameters" : " takes " + joined(own)));
  }
}

FaultRule parse_rule(const json& v, const std::string& path) {
  if (!v.is_object()) throw FaultRuleError(path, "expected an object with at least \"outcome\", got " + v.dump());
  JsonReader rule(v, path);
  FaultRule r;
  r.outcome = parse_outcome(rule);
  reject_parameters_of_other_outcomes(rule, r.outcome);
  if (rule.has("name")) r.name = string_value(rule.raw("name"), rule.path_of("name"));
  if (rule.has("when")) {
    const json& when = rule.raw("when");
    if (!when.is_object()) throw FaultRuleError(rule.path_of("when"), "expected an object, got " + when.dump());
    r.when = parse_when(JsonReader(when, rule.path_of("when")));
  }
  parse_parameters(rule, r);
  rule.finish();
  if (const std::optional<RuleProblem> problem = rule_problem(r)) {
    throw FaultRuleError(path + "." + problem->field, problem->problem);
  }
  return r;
}

}  // namespace
}  // namespace shim_detail

std::vector<FaultRule> parse_fault_rules(const nlohmann::json& faults, const std::string& path) {
  try {
    if (!faults.is_array()) throw FaultRuleError(path, "expected an array of rules, got " + faults.dump());
    std::vector<FaultRule> rules;
    for (std::size_t i = 0; i < faults.size(); ++i) {
      const std::string at = path + "[" + std::to_string(i) + "]";
      rules.push_back(shim_detail::parse_rule(faults[i], at));
      if (rules.back().name.empty()) rules.back().name = at;
    }
    return rules;
  } catch (const FaultRuleError&) {
    throw;
  } catch (const json_diag::PathError& e) {  // the object reader's own: an unknown key, a bad number
    throw FaultRuleError(e.path(), e.problem());
  }
}

std::vector<FaultRule> parse_fault_rules_text(std::string_view text) {
  nlohmann::json faults;
  try {
    faults = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw FaultRuleError("faults", std::string("not valid JSON: ") + e.what());
  }
  return parse_fault_rules(faults);
}

}  // namespace iocpsim::iocp
