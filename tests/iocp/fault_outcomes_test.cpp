// The outcome table is the one list of outcomes: names, calls and parameters come from it, and
// what it says agrees with the rule's own defaults.
#include "iocpsim/iocp/fault_outcomes.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "iocpsim/iocp/fault_rules_json.hpp"

namespace iocpsim::iocp {
namespace {

TEST(FaultOutcomeTableTest, EveryOutcomeHasOneEntryWithARowAndCalls) {
  std::set<std::string> names;
  for (const OutcomeSpec& s : outcome_table()) {
    EXPECT_TRUE(names.insert(s.name()).second) << s.name();
    EXPECT_EQ(std::string(s.rows).rfind('R', 0), 0u) << s.name() << " names no row of IOCP-SEMANTICS.md";
    EXPECT_NE(s.calls, 0u) << s.name();
    EXPECT_NE(std::string(s.caller_sees), "") << s.name();
    EXPECT_NE(std::string(s.how), "") << s.name();
    EXPECT_EQ(outcome_from_name(s.name()), s.outcome);
    EXPECT_STREQ(outcome_name(s.outcome), s.name());
    EXPECT_EQ(allowed_calls(s.outcome), s.calls);
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(Outcome::kCount));
}

// The defaults the table documents are the ones a rule gets when it leaves the parameter out.
TEST(FaultOutcomeTableTest, TheDocumentedDefaultsAreTheRulesDefaults) {
  const FaultRule plain;
  for (const OutcomeSpec& s : outcome_table()) {
    for (const OutcomeParameter& p : s.parameters) {
      const std::string key = p.key;
      EXPECT_TRUE(key == "bytes" || key == "error" || key == "key" || key == "wait_ms") << key;
      EXPECT_TRUE(p.fallback.has_value() || std::string(p.unset) != "") << s.name() << "." << key;
      if (!p.fallback || key == "bytes") continue;  // bytes is unset in the rule; the shim applies the fallback
      const std::uint64_t member = key == "error" ? static_cast<std::uint64_t>(plain.error)
                                   : key == "key" ? plain.key
                                                  : plain.wait_ms;
      EXPECT_EQ(member, *p.fallback) << s.name() << "." << key;
    }
  }
}

// Each parameter the table lists is read from a file; each one it does not list is refused.
TEST(FaultOutcomeTableTest, TheReaderTakesExactlyTheTablesParameters) {
  for (const OutcomeSpec& s : outcome_table()) {
    for (const char* key : {"bytes", "error", "key", "wait_ms"}) {
      const OutcomeParameter* p = outcome_parameter(s.outcome, key);
      const nlohmann::json rule = {{"outcome", s.name()}, {key, p != nullptr ? p->max : 1}};
      if (p != nullptr) {
        EXPECT_NO_THROW(parse_fault_rules(nlohmann::json::array({rule}))) << rule.dump();
      } else {
        EXPECT_THROW(parse_fault_rules(nlohmann::json::array({rule})), FaultRuleError) << rule.dump();
      }
    }
  }
}

// One check of a parameter's value, so a rule built in C++ and one read from a file are refused in
// the same words.
TEST(FaultOutcomeTableTest, AParameterSaysWhatIsWrongWithAValueTheSameToTheBuilderAndTheReader) {
  const OutcomeParameter& bytes = *outcome_parameter(Outcome::short_send, "bytes");
  EXPECT_EQ(bytes.problem(1), std::nullopt);
  EXPECT_EQ(bytes.problem(4294967295u), std::nullopt);
  EXPECT_EQ(bytes.problem(0), "expected an integer from 1 to 4294967295 (bytes the send moves), got 0");
  EXPECT_EQ(bytes.out_of_range("2.5"), "expected an integer from 1 to 4294967295 (bytes the send moves), got 2.5");
  const OutcomeParameter& error = *outcome_parameter(Outcome::immediate_error, "error");
  EXPECT_EQ(error.problem(WSA_IO_PENDING),
            "997 is not an immediate failure; expected the Winsock or Win32 code the call fails with (10054: a reset)");

  FaultRule rule;
  rule.outcome = Outcome::short_send;
  rule.bytes = 0;
  EXPECT_EQ(validate_rule(rule), "bytes: " + *bytes.problem(0));
  rule.outcome = Outcome::immediate_error;
  rule.bytes.reset();
  rule.error = WSA_IO_PENDING;
  EXPECT_EQ(validate_rule(rule), "error: " + *error.problem(WSA_IO_PENDING));
  rule.error = -1;
  EXPECT_EQ(validate_rule(rule), "error: " + error.out_of_range("-1"));
  try {
    parse_fault_rules(nlohmann::json::parse(R"([{"outcome": "short_send", "bytes": 0}])"));
    FAIL() << "a short send of 0 bytes was read";
  } catch (const FaultRuleError& e) {
    EXPECT_EQ(e.path(), "faults[0].bytes");
    EXPECT_EQ(e.problem(), *bytes.problem(0));
  }
}

TEST(FaultOutcomeTableTest, TheSchemaHasABranchPerOutcomeWithItsCallsAndParameters) {
  const nlohmann::json schema = nlohmann::json::parse(fault_rule_schema_json());
  ASSERT_EQ(schema.at("allOf").size(), outcome_table().size());
  const nlohmann::json& reset = schema.at("allOf").at(3);
  EXPECT_EQ(reset.at("if").at("properties").at("outcome").at("const"), "peer_reset");
  const nlohmann::json& props = reset.at("then").at("properties");
  EXPECT_EQ(props.at("bytes").at("maximum"), 4294967295u);
  EXPECT_EQ(props.at("when").at("properties").at("call").at("anyOf").at(0).at("enum"),
            nlohmann::json({"WSARecv", "WSASend"}));
  EXPECT_FALSE(props.contains("error"));
}

TEST(FaultOutcomeTableTest, TheMarkdownSplitsOperationsFromPortsWithAParameterTable) {
  const std::string ops = outcome_markdown(OutcomeGroup::operation);
  const std::string port = outcome_markdown(OutcomeGroup::port);
  EXPECT_NE(outcome_markdown(OutcomeGroup::socket_mode).find("| `skip_mode_refused` | R9b |"), std::string::npos);
  EXPECT_NE(ops.find("| `peer_fin` | R4 | WSARecv |"), std::string::npos) << ops;
  EXPECT_EQ(ops.find("`wait_timeout`"), std::string::npos);
  EXPECT_NE(port.find("| `mixed_batch` | R14 | GetQueuedCompletionStatusEx |"), std::string::npos) << port;
  EXPECT_NE(port.find("| `spurious_wakeup` | `key` | 0 … 18446744073709551615 | 0 |"), std::string::npos) << port;
}

}  // namespace
}  // namespace iocpsim::iocp
