// The event catalogue is the one table of engine events: each entry's fields column names exactly
// its fields, it renders EVENTS.md's tables (iocpsim generate --check holds the file to them), and
// the scenario schema's event names are its names.
#include "iocpsim/engine/event_catalogue.hpp"
#include "iocpsim/engine/engine.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace iocpsim::engine {
namespace {

// The backticked names of a fields column, leaving out what is in parentheses (values).
std::set<std::string> named_fields(std::string_view doc) {
  const std::regex in_parentheses(R"(\([^)]*\))");
  const std::regex field("`([a-z0-9_]+)`");
  const std::string fields = std::regex_replace(std::string(doc), in_parentheses, "");
  std::set<std::string> out;
  for (std::sregex_iterator it(fields.begin(), fields.end(), field), end; it != end; ++it) out.insert((*it)[1].str());
  return out;
}

TEST(EventCatalogueTest, EachEventsFieldsColumnNamesExactlyItsFields) {
  ASSERT_GT(event_catalogue().size(), 40u);
  for (const EventKind& k : event_catalogue()) {
    std::set<std::string> fields;
    for (const EventField& f : k.fields) fields.emplace(f.name);
    EXPECT_EQ(named_fields(k.fields_doc), fields) << k.name << ": the fields column and the field list differ";
    EXPECT_FALSE(k.when.empty()) << k.name;
  }
}

TEST(EventCatalogueTest, NamesAreUniqueAndEachGroupIsInOnePiece) {
  std::set<std::string_view> names;
  std::vector<std::string_view> groups;
  for (const EventKind& k : event_catalogue()) {
    EXPECT_TRUE(names.insert(k.name).second) << k.name << " twice";
    if (groups.empty() || groups.back() != k.group) groups.push_back(k.group);
  }
  const std::set<std::string_view> distinct(groups.begin(), groups.end());
  EXPECT_EQ(distinct.size(), groups.size()) << "a group's events are not together";
}

TEST(EventCatalogueTest, AFieldOfTheWrongTypeOrNotListedIsAProblem) {
  const EventKind& peer_reset = *find_event_kind("peer_reset");
  EXPECT_EQ(event_fields_problem(peer_reset, {{"row", "R5"}, {"op", "recv"}, {"bytes", 0}}), "");
  EXPECT_EQ(event_fields_problem(peer_reset, {{"row", 5}}),
            "event peer_reset has field row = 5, but the catalogue says text");
  EXPECT_EQ(event_fields_problem(peer_reset, {{"rows", "R5"}}),
            "event peer_reset has field rows, which the catalogue does not list");
  EXPECT_EQ(event_fields_problem(peer_reset, nlohmann::json::array()),
            "event peer_reset has fields that are not an object");
}

TEST(EventCatalogueTest, RendersATablePerGroupWithTheFieldTypes) {
  const std::string md = event_catalogue_markdown();
  EXPECT_EQ(md.find("## Engine-wide\n\n| event | fields | types | when |\n|---|---|---|---|\n"), 0u);
  EXPECT_NE(md.find("| `peer_reset` | "), std::string::npos);
  EXPECT_NE(md.find("`row` text, `op` text, `bytes` integer"), std::string::npos);
  EXPECT_LT(md.find("## Engine-wide"), md.find("## Shutdown"));
}

TEST(EventCatalogueTest, TheScenarioSchemaNamesEveryEvent) {
  std::ifstream in(IOCPSIM_SCENARIO_SCHEMA);
  const nlohmann::json schema = nlohmann::json::parse(in);
  const auto& listed = schema.at("$defs").at("eventName").at("enum");
  std::set<std::string> in_schema(listed.begin(), listed.end());
  std::set<std::string> in_catalogue;
  for (const EventKind& k : event_catalogue()) in_catalogue.emplace(k.name);
  EXPECT_EQ(in_schema, in_catalogue);
}

// The schema's engine options take the ranges every reader of them takes.
TEST(EventCatalogueTest, TheSchemaTakesTheEngineOptionRangesOfTheReaders) {
  std::ifstream in(IOCPSIM_SCENARIO_SCHEMA);
  const nlohmann::json schema = nlohmann::json::parse(in);
  const nlohmann::json* workers = nullptr;
  const nlohmann::json* batch = nullptr;
  // Wherever the engine options are defined in the schema: the object that has both keys.
  const std::function<void(const nlohmann::json&)> find = [&](const nlohmann::json& v) {
    if (v.is_object()) {
      if (v.contains("workers") && v.contains("dequeue_batch")) {
        workers = &v["workers"];
        batch = &v["dequeue_batch"];
      }
      for (const auto& [unused, child] : v.items()) find(child);
    } else if (v.is_array()) {
      for (const auto& child : v) find(child);
    }
  };
  find(schema);
  ASSERT_NE(workers, nullptr);
  EXPECT_EQ(workers->at("maximum"), EngineOptions::kWorkersMax);
  EXPECT_EQ(batch->at("maximum"), EngineOptions::kDequeueBatchMax);
}

TEST(EventCatalogueTest, FindsAnEventByName) {
  ASSERT_NE(find_event_kind("peer_closed"), nullptr);
  EXPECT_EQ(find_event_kind("peer_closed")->fields.front().name, "row");
  EXPECT_EQ(find_event_kind("peer_close"), nullptr);
}

}  // namespace
}  // namespace iocpsim::engine
