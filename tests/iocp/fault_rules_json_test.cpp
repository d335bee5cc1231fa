// The `faults` section as JSON: a valid rule per outcome reads back, and each kind of mistake
// gets a message naming its JSON path and the expected form.
#include "iocpsim/iocp/fault_rules_json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace iocpsim::iocp {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_fault_rules_text(text);
  } catch (const FaultRuleError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(FaultRulesJsonTest, AFullRuleReadsBackField) {
  const auto rules = parse_fault_rules_text(R"([
    { "name": "device A's 3rd receive is reset",
      "when": { "call": "WSARecv", "tag": "A", "nth": 3, "every": 2, "after_ms": 1500,
                "after_bytes": 64, "probability": 0.5 },
      "outcome": "peer_reset", "times": "always", "bytes": 0 } ])");
  ASSERT_EQ(rules.size(), 1u);
  const FaultRule& r = rules[0];
  EXPECT_EQ(r.name, "device A's 3rd receive is reset");
  EXPECT_EQ(r.when.calls, call_bit(Call::WSARecv));
  EXPECT_EQ(r.when.tag, "A");
  EXPECT_EQ(r.when.nth, 3u);
  EXPECT_EQ(r.when.every, 2u);
  EXPECT_EQ(r.when.after, std::chrono::milliseconds(1500));
  EXPECT_EQ(r.when.after_bytes, 64u);
  EXPECT_DOUBLE_EQ(r.when.probability, 0.5);
  EXPECT_EQ(r.outcome, Outcome::peer_reset);
  EXPECT_EQ(r.times, kAlways);
  EXPECT_EQ(r.bytes, DWORD{0});
}

TEST(FaultRulesJsonTest, AnExampleOfEveryOutcomeIsAccepted) {
  const auto rules = parse_fault_rules_text(R"([
    { "outcome": "success", "bytes": 1 },
    { "outcome": "short_send", "bytes": 3 },
    { "outcome": "peer_fin", "when": { "tag": "A" } },
    { "outcome": "peer_reset", "when": { "call": "WSARecv", "nth": 3 } },
    { "outcome": "local_abort", "when": { "call": ["WSARecv", "WSASend"] } },
    { "outcome": "cancelled", "when": { "call": "AcceptEx" } },
    { "outcome": "sync_success" },
    { "outcome": "sync_success_skip" },
    { "outcome": "immediate_error", "error": 10054 },
    { "outcome": "connect_refused" },
    { "outcome": "connect_timeout" },
    { "outcome": "network_unreachable" },
    { "outcome": "host_unreachable" },
    { "outcome": "wait_timeout", "when": { "call": "GQCS", "every": 5 }, "times": "always" },
    { "outcome": "port_closed", "when": { "after_ms": 2000 } },
    { "outcome": "spurious_wakeup", "bytes": 0, "key": 0 },
    { "outcome": "reorder", "when": { "call": "GQCSEx" } },
    { "outcome": "deliver_before_return", "wait_ms": 500 },
    { "outcome": "mixed_batch", "when": { "probability": 0.1 }, "times": 3 },
    { "outcome": "connect_unanswered", "when": { "tag": "B" } },
    { "outcome": "peer_not_reading", "when": { "tag": "A", "after_bytes": 4096 } },
    { "outcome": "skip_mode_ignored", "times": "always" },
    { "outcome": "skip_mode_refused", "when": { "call": "SetFileCompletionNotificationModes" } } ])");
  ASSERT_EQ(rules.size(), static_cast<std::size_t>(Outcome::kCount));
  for (std::size_t i = 0; i < rules.size(); ++i) {
    EXPECT_EQ(rules[i].outcome, static_cast<Outcome>(i));
    EXPECT_EQ(rules[i].name, "faults[" + std::to_string(i) + "]");
  }
}

TEST(FaultRulesJsonTest, TextThatIsNotJsonIsRejected) {
  EXPECT_EQ(error_of("[ { \"outcome\": ").rfind("faults: not valid JSON: ", 0), 0u);
}

TEST(FaultRulesJsonTest, TheSectionMustBeAnArray) {
  EXPECT_EQ(error_of(R"({"outcome": "peer_reset"})"),
            R"(faults: expected an array of rules, got {"outcome":"peer_reset"})");
}

TEST(FaultRulesJsonTest, ARuleMustBeAnObject) {
  EXPECT_EQ(error_of(R"(["peer_reset"])"),
            R"(faults[0]: expected an object with at least "outcome", got "peer_reset")");
}

TEST(FaultRulesJsonTest, AMissingOutcomeIsNamed) {
  EXPECT_EQ(error_of(R"([{"when": {"nth": 1}}])")
                .rfind("faults[0].outcome: missing; expected one of success, short_send, peer_fin", 0),
            0u);
}

TEST(FaultRulesJsonTest, AnUnknownOutcomeSuggestsTheNearestName) {
  EXPECT_EQ(
      error_of(R"([{"outcome": "peer_rest"}])")
          .rfind(R"(faults[0].outcome: unknown outcome "peer_rest"; did you mean "peer_reset"?; expected one of)", 0),
      0u);
}

TEST(FaultRulesJsonTest, AnUnknownKeySuggestsTheNearestKey) {
  EXPECT_EQ(error_of(R"([{"outcome": "peer_reset", "tmes": 2}])"),
            R"(faults[0].tmes: unknown key; did you mean "times"?)");
}

TEST(FaultRulesJsonTest, AParameterOfOtherOutcomesSaysWhichOutcomesItAppliesTo) {
  EXPECT_EQ(error_of(R"([{"outcome": "peer_fin", "bytes": 2}])"),
            "faults[0].bytes: applies to outcomes success, short_send, peer_reset, spurious_wakeup, not to peer_fin; "
            "peer_fin takes no parameters");
  EXPECT_EQ(
      error_of(R"([{"outcome": "peer_fin", "wait_ms": 2}])"),
      "faults[0].wait_ms: applies to outcome deliver_before_return, not to peer_fin; peer_fin takes no parameters");
}

TEST(FaultRulesJsonTest, AKeyNoOutcomeTakesIsAnUnknownKey) {
  EXPECT_EQ(error_of(R"([{"outcome": "peer_fin", "colour": 2}])"),
            R"(faults[0].colour: unknown key; known keys: outcome, name, when, times)");
}

TEST(FaultRulesJsonTest, AnUnknownKeyInWhenIsNamedWithItsPath) {
  EXPECT_EQ(error_of(R"([{"outcome": "peer_reset", "when": {"nht": 3}}])"),
            R"(faults[0].when.nht: unknown key; did you mean "nth"?)");
}

TEST(FaultRulesJsonTest, NthMustBeAPositiveInteger) {
  EXPECT_EQ(
      error_of(R"([{"outcome": "peer_reset"}, {"outcome": "cancelled"}, {"outcome": "peer_fin", "when": {"nth": 0}}])"),
      "faults[2].when.nth: expected a positive integer, got 0");
  EXPECT_EQ(error_of(R"([{"outcome": "peer_fin", "when": {"nth": "3"}}])"),
            R"(faults[0].when.nth: expected a positive integer, got "3")");
}

TEST(FaultRulesJsonTest, WhenMustBeAnObject) {
  EXPECT_EQ(error_of(R"([{"outcome": "peer_fin", "when": 3}])"), "faults[0].when: expected an object, got 3");
}

TEST(FaultRulesJsonTest, ProbabilityMustLieInZeroToOne) {
  EXPECT_EQ(error_of(R"([{"outcome": "peer_fin", "when": {"probability": 1.5}}])"),
            "faults[0].when.probability: expected a number in (0, 1], got 1.5");
}

TEST(FaultRulesJsonTest, AnUnknownCallSuggestsTheNearestName) {
  EXPECT_EQ(
      error_of(R"([{"outcome": "peer_reset", "when": {"call": ["WSASend", "WSARcv"]}}])"),
      R"(faults[0].when.call[1]: unknown call "WSARcv"; did you mean "WSARecv"?; expected one of WSARecv, WSASend, AcceptEx, ConnectEx, GetQueuedCompletionStatus, GetQueuedCompletionStatusEx, SetFileCompletionNotificationModes, GQCS, GQCSEx)");
}

TEST(FaultRulesJsonTest, AnOutcomeOnACallItCannotHappenToIsRejected) {
  EXPECT_EQ(error_of(R"([{"outcome": "connect_refused", "when": {"call": "WSARecv"}}])"),
            "faults[0].when.call: WSARecv cannot have outcome connect_refused; expected one of ConnectEx");
}

TEST(FaultRulesJsonTest, TimesMustBeAPositiveIntegerOrAlways) {
  EXPECT_EQ(error_of(R"([{"outcome": "peer_reset", "times": "forever"}])"),
            R"(faults[0].times: expected a positive integer or "always", got "forever")");
}

TEST(FaultRulesJsonTest, TagMustBeAString) {
  EXPECT_EQ(error_of(R"([{"outcome": "peer_reset", "when": {"tag": 7}}])"),
            "faults[0].when.tag: expected a string, got 7");
}

TEST(FaultRulesJsonTest, AnImmediateErrorMustNotBePending) {
  EXPECT_EQ(error_of(R"([{"outcome": "immediate_error", "error": 997}])"),
            "faults[0].error: 997 is not an immediate failure; expected the Winsock or Win32 code the call fails with "
            "(10054: a reset)");
}

TEST(FaultRulesJsonTest, AShortSendMustMoveAtLeastOneByte) {
  EXPECT_EQ(error_of(R"([{"outcome": "short_send", "bytes": 0}])"),
            "faults[0].bytes: expected an integer from 1 to 4294967295 (bytes the send moves), got 0");
}

// A parameter is read in its own range before it is narrowed to its member's type: 2^32 bytes is a
// mistake, not a request for 0.
TEST(FaultRulesJsonTest, AParameterBeyondItsRangeIsRejectedNotTruncated) {
  EXPECT_EQ(error_of(R"([{"outcome": "success", "bytes": 4294967296}])"),
            "faults[0].bytes: expected an integer from 1 to 4294967295 (at most this many bytes move), got 4294967296");
  EXPECT_EQ(error_of(R"([{"outcome": "immediate_error", "error": -10054}])"),
            "faults[0].error: expected an integer from 1 to 2147483647 (the Winsock or Win32 code the call fails with "
            "(10054: a reset)), got -10054");
  EXPECT_EQ(
      error_of(R"([{"outcome": "deliver_before_return", "wait_ms": 2.5}])"),
      "faults[0].wait_ms: expected an integer from 1 to 4294967295 (ceiling on waiting for the dequeue), got 2.5");
}

}  // namespace
}  // namespace iocpsim::iocp
