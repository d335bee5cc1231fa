// Fault rules: which call to change, when, and into which outcome of IOCP-SEMANTICS.md.
//
// A rule is a predicate (the calls it watches, the connection tag, the n-th or every k-th
// matching occurrence, after a time or a byte count, with a probability drawn from the run's
// seed) and an outcome named after what happens in the world (peer_reset, peer_fin ...). Rules
// come from the `faults` section of a scenario file (fault_rules_json.hpp, FAULTS.md) or from
// the builder below in tests. Nothing fires unless a rule says so.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "iocpsim/iocp/clock.hpp"
#include "iocpsim/iocp/fault_outcomes.hpp"
#include "iocpsim/iocp/win32.hpp"
#include "iocpsim/json_diag/json_reader.hpp"

namespace iocpsim::iocp {

// The predicate. Occurrences are counted per rule, over calls that pass every filter (call,
// tag, after, after_bytes); nth and every then pick which of them may fire.
struct Trigger {
  CallSet calls = 0;                   // 0: every call the outcome allows
  std::optional<std::string> tag;      // the connection's tag (tag_socket); unset: any
  std::uint64_t nth = 0;               // first occurrence that fires (1-based); 0: same as every
  std::uint64_t every = 1;             // then every k-th occurrence
  std::chrono::microseconds after{0};  // only once this long has passed since the rules were armed
  std::uint64_t after_bytes = 0;       // only once the connection moved this many bytes (port calls: all)
  double probability = 1.0;            // each candidate fires with this probability (the run's seed)
};

inline constexpr std::uint64_t kAlways = 0;

struct FaultRule {
  std::string name;  // for the journal and messages; defaults to "faults[i]"
  Trigger when;
  Outcome outcome = Outcome::success;
  std::uint64_t times = 1;  // firings before the rule retires; kAlways: never retires
  // Outcome parameters (each outcome reads only its own; see FAULTS.md).
  std::optional<DWORD> bytes;  // success, short_send, peer_reset (send), spurious_wakeup
  int error = WSAENOBUFS;      // immediate_error: the Winsock code the call fails with
  ULONG_PTR key = 0;           // spurious_wakeup: the completion key it reports
  DWORD wait_ms = 1000;        // deliver_before_return: ceiling on waiting for the dequeue
};

// A rule that cannot be: path() is where (a JSON path such as faults[2].when.nth, or the field of
// a rule built in C++), problem() what is wrong and what was expected.
class FaultRuleError : public json_diag::PathError {
 public:
  using json_diag::PathError::PathError;
};

// What is wrong with a rule: the field (e.g. "when.call") and the problem there.
struct RuleProblem {
  std::string field;
  std::string problem;
};
std::optional<RuleProblem> rule_problem(const FaultRule& rule);
// "" if the rule is well formed, else "<field>: <what is wrong>; expected <form>".
std::string validate_rule(const FaultRule& rule);

// Builds a rule in tests: fault(Outcome::peer_reset).on(Call::WSARecv).tag("A").nth(3).
class RuleBuilder {
 public:
  explicit RuleBuilder(Outcome outcome) { rule_.outcome = outcome; }
  RuleBuilder& named(std::string name);
  RuleBuilder& on(Call call);
  RuleBuilder& tag(std::string tag);
  RuleBuilder& nth(std::uint64_t n);
  RuleBuilder& every(std::uint64_t k);
  RuleBuilder& after(std::chrono::microseconds elapsed);
  RuleBuilder& after_bytes(std::uint64_t bytes);
  RuleBuilder& probability(double p);
  RuleBuilder& times(std::uint64_t n);
  RuleBuilder& always();
  RuleBuilder& bytes(DWORD n);
  RuleBuilder& error(int wsa_error);
  RuleBuilder& key(ULONG_PTR k);
  RuleBuilder& wait_ms(DWORD ms);
  // Throws FaultRuleError if the rule is malformed.
  FaultRule build() const;
  operator FaultRule() const { return build(); }  // NOLINT: reads naturally in rule lists

 private:
  FaultRule rule_;
};

inline RuleBuilder fault(Outcome outcome) { return RuleBuilder(outcome); }

// The armed rules and their counters. Not thread-safe: the shim serialises calls.
class RuleSet {
 public:
  RuleSet() = default;
  RuleSet(std::vector<FaultRule> rules, std::chrono::microseconds armed_at);

  struct Subject {
    Call call;
    const std::string* tag = nullptr;  // nullptr: untagged or not a socket call
    std::uint64_t bytes = 0;           // bytes moved so far by the subject's connection
    std::chrono::microseconds now{0};
  };
  // The index of the rule that fires for this call, if any. Counts the occurrence in every
  // rule that watches it.
  std::optional<std::size_t> match(const Subject& subject, SeededRandom& random);
  // Gives back a firing the shim could not carry out (the rule stays armed for the next one).
  void unfire(std::size_t index);

  bool empty() const { return rules_.empty(); }
  bool watches_port() const { return watches_port_; }
  std::size_t size() const { return rules_.size(); }
  const FaultRule& rule(std::size_t index) const { return rules_[index]; }
  std::uint64_t fired(std::size_t index) const { return state_[index].fired; }

 private:
  struct State {
    std::uint64_t seen = 0;
    std::uint64_t fired = 0;
  };
  bool candidate(std::size_t index, const Subject& subject, SeededRandom& random);

  std::vector<FaultRule> rules_;
  std::vector<State> state_;
  std::chrono::microseconds armed_at_{0};
  bool watches_port_ = false;
};

}  // namespace iocpsim::iocp
