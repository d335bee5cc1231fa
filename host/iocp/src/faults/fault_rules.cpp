// Names of calls, rule validation, the builder, and rule matching.
#include "iocpsim/iocp/fault_rules.hpp"

#include "iocpsim/iocp/fault_outcomes.hpp"

#include <array>
#include <utility>

namespace iocpsim::iocp {
namespace shim_detail {
namespace {

constexpr std::array<const char*, static_cast<std::size_t>(Call::kCount)> kCallNames = {
    "CreateIoCompletionPort",
    "GetQueuedCompletionStatus",
    "GetQueuedCompletionStatusEx",
    "PostQueuedCompletionStatus",
    "CloseHandle",
    "SetFileCompletionNotificationModes",
    "CancelIoEx",
    "socket",
    "bind",
    "listen",
    "closesocket",
    "shutdown",
    "setsockopt",
    "getsockopt",
    "getsockname",
    "getpeername",
    "accept",
    "connect",
    "send",
    "recv",
    "AcceptEx",
    "ConnectEx",
    "WSARecv",
    "WSASend",
    "WSAGetOverlappedResult"};

constexpr CallSet kWaits = call_bit(Call::GetQueuedCompletionStatus) | call_bit(Call::GetQueuedCompletionStatusEx);

std::string call_list(CallSet calls) {
  std::string out;
  for (std::size_t i = 0; i < kCallNames.size(); ++i) {
    if ((calls & call_bit(static_cast<Call>(i))) == 0) continue;
    if (!out.empty()) out += ", ";
    out += kCallNames[i];
  }
  return out;
}

}  // namespace
}  // namespace shim_detail

const char* call_name(Call c) { return shim_detail::kCallNames.at(static_cast<std::size_t>(c)); }

std::optional<Call> call_from_name(std::string_view name) {
  if (name == "GQCS") return Call::GetQueuedCompletionStatus;
  if (name == "GQCSEx") return Call::GetQueuedCompletionStatusEx;
  for (std::size_t i = 0; i < shim_detail::kCallNames.size(); ++i) {
    if (name == shim_detail::kCallNames[i]) return static_cast<Call>(i);
  }
  return std::nullopt;
}

namespace {

// Nothing if `value` is a value of parameter `key` of the rule's outcome, else what is wrong.
std::optional<RuleProblem> parameter_problem(const FaultRule& rule, const char* key, std::uint64_t value) {
  const OutcomeParameter* p = outcome_parameter(rule.outcome, key);
  if (p == nullptr) return RuleProblem{key, std::string("outcome ") + outcome_name(rule.outcome) + " takes no " + key};
  if (std::optional<std::string> problem = p->problem(value)) return RuleProblem{key, std::move(*problem)};
  return std::nullopt;
}

}  // namespace

std::optional<RuleProblem> rule_problem(const FaultRule& rule) {
  const CallSet allowed = allowed_calls(rule.outcome);
  if ((rule.when.calls & ~allowed) != 0) {
    return RuleProblem{"when.call", shim_detail::call_list(rule.when.calls & ~allowed) + " cannot have outcome " +
                                        outcome_name(rule.outcome) + "; expected one of " +
                                        shim_detail::call_list(allowed)};
  }
  if (rule.when.every == 0) return RuleProblem{"when.every", "must be at least 1; expected a positive integer"};
  if (!(rule.when.probability > 0.0 && rule.when.probability <= 1.0)) {
    return RuleProblem{"when.probability", "must be in (0, 1]; expected a number such as 0.25"};
  }
  // Each parameter the outcome takes is checked against its range; one it does not take may
  // only be set from a file (the reader refuses it there) or left at its default.
  if (rule.bytes) {
    if (auto problem = parameter_problem(rule, "bytes", *rule.bytes)) return problem;
  }
  if (const OutcomeParameter* error = outcome_parameter(rule.outcome, "error")) {
    if (rule.error < 0) return RuleProblem{"error", error->out_of_range(std::to_string(rule.error))};
    if (auto problem = parameter_problem(rule, "error", static_cast<std::uint64_t>(rule.error))) return problem;
  }
  if (outcome_parameter(rule.outcome, "wait_ms") != nullptr) {
    if (auto problem = parameter_problem(rule, "wait_ms", rule.wait_ms)) return problem;
  }
  return std::nullopt;
}

std::string validate_rule(const FaultRule& rule) {
  const std::optional<RuleProblem> problem = rule_problem(rule);
  return problem ? problem->field + ": " + problem->problem : "";
}

RuleBuilder& RuleBuilder::named(std::string name) {
  rule_.name = std::move(name);
  return *this;
}
RuleBuilder& RuleBuilder::on(Call call) {
  rule_.when.calls |= call_bit(call);
  return *this;
}
RuleBuilder& RuleBuilder::tag(std::string tag) {
  rule_.when.tag = std::move(tag);
  return *this;
}
RuleBuilder& RuleBuilder::nth(std::uint64_t n) {
  rule_.when.nth = n;
  return *this;
}
RuleBuilder& RuleBuilder::every(std::uint64_t k) {
  rule_.when.every = k;
  return *this;
}
RuleBuilder& RuleBuilder::after(std::chrono::microseconds elapsed) {
  rule_.when.after = elapsed;
  return *this;
}
RuleBuilder& RuleBuilder::after_bytes(std::uint64_t bytes) {
  rule_.when.after_bytes = bytes;
  return *this;
}
RuleBuilder& RuleBuilder::probability(double p) {
  rule_.when.probability = p;
  return *this;
}
RuleBuilder& RuleBuilder::times(std::uint64_t n) {
  rule_.times = n;
  return *this;
}
RuleBuilder& RuleBuilder::always() {
  rule_.times = kAlways;
  return *this;
}
RuleBuilder& RuleBuilder::bytes(DWORD n) {
  rule_.bytes = n;
  return *this;
}
RuleBuilder& RuleBuilder::error(int wsa_error) {
  rule_.error = wsa_error;
  return *this;
}
RuleBuilder& RuleBuilder::key(ULONG_PTR k) {
  rule_.key = k;
  return *this;
}
RuleBuilder& RuleBuilder::wait_ms(DWORD ms) {
  rule_.wait_ms = ms;
  return *this;
}

FaultRule RuleBuilder::build() const {
  if (const std::optional<RuleProblem> problem = rule_problem(rule_)) {
    throw FaultRuleError(problem->field, problem->problem);
  }
  return rule_;
}

RuleSet::RuleSet(std::vector<FaultRule> rules, std::chrono::microseconds armed_at)
    : rules_(std::move(rules)), state_(rules_.size()), armed_at_(armed_at) {
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    FaultRule& r = rules_[i];
    if (r.when.calls == 0) r.when.calls = allowed_calls(r.outcome);
    if (r.name.empty()) r.name = "faults[" + std::to_string(i) + "]";
    if ((r.when.calls & shim_detail::kWaits) != 0) watches_port_ = true;
  }
}

bool RuleSet::candidate(std::size_t index, const Subject& subject, SeededRandom& random) {
  const FaultRule& r = rules_[index];
  State& st = state_[index];
  if ((r.when.calls & call_bit(subject.call)) == 0) return false;
  if (r.when.tag && (subject.tag == nullptr || *subject.tag != *r.when.tag)) return false;
  if (subject.now - armed_at_ < r.when.after) return false;
  if (subject.bytes < r.when.after_bytes) return false;
  const std::uint64_t seen = ++st.seen;
  if (r.times != kAlways && st.fired >= r.times) return false;
  const std::uint64_t first = r.when.nth != 0 ? r.when.nth : r.when.every;
  if (seen < first || (seen - first) % r.when.every != 0) return false;
  // Drawn only for candidates, so the same calls and seed give the same firings.
  return r.when.probability >= 1.0 || random.next_unit() < r.when.probability;
}

std::optional<std::size_t> RuleSet::match(const Subject& subject, SeededRandom& random) {
  std::optional<std::size_t> chosen;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    // Every rule counts the occurrence; the first candidate in file order fires.
    if (candidate(i, subject, random) && !chosen) chosen = i;
  }
  if (chosen) ++state_[*chosen].fired;
  return chosen;
}

void RuleSet::unfire(std::size_t index) {
  if (state_[index].fired > 0) --state_[index].fired;
}

}  // namespace iocpsim::iocp
