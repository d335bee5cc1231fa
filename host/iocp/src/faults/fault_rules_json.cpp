// Reading fault rules from JSON, with errors that name the path and the expected form.
#include "iocpsim/iocp/fault_rules_json.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>

#include "iocpsim/iocp/fault_outcomes.hpp"
#include "iocpsim/json_diag/suggest.hpp"

namespace iocpsim::iocp {
namespace shim_detail {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw FaultRuleError(path + ": " + what);
}

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
  for (const OutcomeSpec& spec : outcome_table()) out.emplace_back(spec.name);
  return out;
}

void reject_unknown_keys(const json& object, const std::string& path,
                         const std::vector<std::string>& known) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    fail(path + "." + key, "unknown key" + suggestion(key, known) + "; expected one of " +
                               joined(known));
  }
}

std::uint64_t positive_integer(const json& v, const std::string& path, bool zero_ok = false) {
  if (!v.is_number_integer() || (v.is_number_integer() && v.get<std::int64_t>() < (zero_ok ? 0 : 1))) {
    fail(path, std::string("expected a ") + (zero_ok ? "non-negative" : "positive") +
                   " integer, got " + v.dump());
  }
  return v.get<std::uint64_t>();
}

std::string string_value(const json& v, const std::string& path) {
  if (!v.is_string()) fail(path, "expected a string, got " + v.dump());
  return v.get<std::string>();
}

Call parse_call(const json& v, const std::string& path) {
  const std::string name = string_value(v, path);
  const std::optional<Call> c = call_from_name(name);
  if (!c) {
    fail(path, "unknown call \"" + name + "\"" + suggestion(name, watchable_call_names()) +
                   "; expected one of " + joined(watchable_call_names()));
  }
  return *c;
}

CallSet parse_calls(const json& v, const std::string& path) {
  if (v.is_string()) return call_bit(parse_call(v, path));
  if (!v.is_array() || v.empty()) {
    fail(path, "expected a call name or a non-empty array of call names, got " + v.dump());
  }
  CallSet calls = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    calls |= call_bit(parse_call(v[i], path + "[" + std::to_string(i) + "]"));
  }
  return calls;
}

Trigger parse_when(const json& v, const std::string& path) {
  if (!v.is_object()) fail(path, "expected an object, got " + v.dump());
  reject_unknown_keys(v, path,
                      {"call", "tag", "nth", "every", "after_ms", "after_bytes", "probability"});
  Trigger t;
  if (v.contains("call")) t.calls = parse_calls(v["call"], path + ".call");
  if (v.contains("tag")) t.tag = string_value(v["tag"], path + ".tag");
  if (v.contains("nth")) t.nth = positive_integer(v["nth"], path + ".nth");
  if (v.contains("every")) t.every = positive_integer(v["every"], path + ".every");
  if (v.contains("after_ms")) {
    t.after = std::chrono::milliseconds(positive_integer(v["after_ms"], path + ".after_ms", true));
  }
  if (v.contains("after_bytes")) {
    t.after_bytes = positive_integer(v["after_bytes"], path + ".after_bytes", true);
  }
  if (v.contains("probability")) {
    const json& p = v["probability"];
    if (!p.is_number() || !(p.get<double>() > 0.0 && p.get<double>() <= 1.0)) {
      fail(path + ".probability", "expected a number in (0, 1], got " + p.dump());
    }
    t.probability = p.get<double>();
  }
  return t;
}

// The keys a rule with this outcome may have.
std::vector<std::string> rule_keys(Outcome o) {
  std::vector<std::string> keys{"name", "when", "outcome", "times"};
  for (const OutcomeParameter& p : outcome_spec(o).parameters) keys.emplace_back(p.key);
  return keys;
}

// A parameter of the rule's outcome, in the range its table entry gives.
std::uint64_t parameter(const json& v, const std::string& path, const OutcomeParameter& p) {
  const bool integer = v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
  if (!integer || v.get<std::uint64_t>() < p.min || v.get<std::uint64_t>() > p.max) {
    fail(path, "expected an integer from " + std::to_string(p.min) + " to " + std::to_string(p.max) + " (" +
                   p.meaning + "), got " + v.dump());
  }
  const std::uint64_t value = v.get<std::uint64_t>();
  if (std::find(p.excluded.begin(), p.excluded.end(), value) != p.excluded.end()) {
    fail(path, std::to_string(value) + " " + p.excluded_why + "; expected " + p.meaning);
  }
  return value;
}

Outcome parse_outcome(const json& rule, const std::string& path) {
  if (!rule.contains("outcome")) {
    fail(path + ".outcome", "missing; expected one of " + joined(all_outcome_names()));
  }
  const std::string name = string_value(rule["outcome"], path + ".outcome");
  const std::optional<Outcome> o = outcome_from_name(name);
  if (!o) {
    fail(path + ".outcome", "unknown outcome \"" + name + "\"" +
                                suggestion(name, all_outcome_names()) + "; expected one of " +
                                joined(all_outcome_names()));
  }
  return *o;
}

void parse_parameters(const json& v, const std::string& path, FaultRule& r) {
  if (v.contains("times")) {
    const json& t = v["times"];
    if (t.is_string() && t.get<std::string>() == "always") {
      r.times = kAlways;
    } else if (t.is_number_integer() && t.get<std::int64_t>() >= 1) {
      r.times = t.get<std::uint64_t>();
    } else {
      fail(path + ".times", "expected a positive integer or \"always\", got " + t.dump());
    }
  }
  for (const OutcomeParameter& p : outcome_spec(r.outcome).parameters) {
    if (!v.contains(p.key)) continue;
    const std::uint64_t value = parameter(v[p.key], path + "." + p.key, p);
    const std::string key = p.key;
    if (key == "bytes") r.bytes = static_cast<DWORD>(value);
    if (key == "error") r.error = static_cast<int>(value);
    if (key == "key") r.key = static_cast<ULONG_PTR>(value);
    if (key == "wait_ms") r.wait_ms = static_cast<DWORD>(value);
  }
}

// A parameter of other outcomes on this one: named as such, with the outcomes it belongs to,
// rather than as an unknown key.
void reject_parameters_of_other_outcomes(const json& rule, const std::string& path, Outcome o) {
  const std::vector<std::string> own = rule_keys(o);
  for (const auto& item : rule.items()) {
    if (std::find(own.begin(), own.end(), item.key()) != own.end()) continue;
    std::vector<std::string> owners;
    for (const OutcomeSpec& spec : outcome_table()) {
      if (outcome_parameter(spec.outcome, item.key()) != nullptr) owners.emplace_back(spec.name);
    }
    if (owners.empty()) continue;  // unknown everywhere: reject_unknown_keys says so
    fail(path + "." + item.key(), std::string("applies to outcome") + (owners.size() > 1 ? "s " : " ") + joined(owners) +
                                      ", not to " + outcome_name(o) +
                                      "; keys of " + outcome_name(o) + ": " + joined(own));
  }
}

FaultRule parse_rule(const json& v, const std::string& path) {
  if (!v.is_object()) fail(path, "expected an object with at least \"outcome\", got " + v.dump());
  FaultRule r;
  r.outcome = parse_outcome(v, path);
  reject_parameters_of_other_outcomes(v, path, r.outcome);
  reject_unknown_keys(v, path, rule_keys(r.outcome));
  if (v.contains("name")) r.name = string_value(v["name"], path + ".name");
  if (v.contains("when")) r.when = parse_when(v["when"], path + ".when");
  parse_parameters(v, path, r);
  if (std::string problem = validate_rule(r); !problem.empty()) {
    throw FaultRuleError(path + "." + problem);
  }
  return r;
}

}  // namespace
}  // namespace shim_detail

std::vector<FaultRule> parse_fault_rules(const nlohmann::json& faults, const std::string& path) {
  if (!faults.is_array()) {
    shim_detail::fail(path, "expected an array of rules, got " + faults.dump());
  }
  std::vector<FaultRule> rules;
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    rules.push_back(shim_detail::parse_rule(faults[i], at));
    if (rules.back().name.empty()) rules.back().name = at;
  }
  return rules;
}

std::vector<FaultRule> parse_fault_rules_text(std::string_view text) {
  nlohmann::json faults;
  try {
    faults = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw FaultRuleError(std::string("faults: not valid JSON: ") + e.what());
  }
  return parse_fault_rules(faults);
}

}  // namespace iocpsim::iocp
