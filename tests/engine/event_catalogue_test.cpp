// The event catalogue is the one list of engine events: EVENTS.md documents exactly its events
// with exactly their fields, and the scenario schema's event names are its names.
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

// EVENTS.md's table rows: "| `name` | `field` (`value`, ...), `field` — or `field` | when |".
std::map<std::string, std::set<std::string>> documented_events() {
  std::ifstream in(IOCPSIM_EVENTS_MD);
  const std::regex row(R"(^\| `([a-z0-9_]+)` \| (.*?) \| .* \|$)");
  const std::regex in_parentheses(R"(\([^)]*\))");
  const std::regex field("`([a-z0-9_]+)`");
  std::map<std::string, std::set<std::string>> out;
  std::string line;
  bool in_events = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) in_events = true;
    std::smatch m;
    if (!in_events || !std::regex_match(line, m, row)) continue;
    const std::string fields = std::regex_replace(m[2].str(), in_parentheses, "");
    auto& set = out[m[1].str()];
    for (std::sregex_iterator it(fields.begin(), fields.end(), field), end; it != end; ++it) set.insert((*it)[1].str());
  }
  return out;
}

TEST(EventCatalogueTest, EventsMdDocumentsEveryEventWithItsFields) {
  const auto documented = documented_events();
  ASSERT_GT(documented.size(), 40u) << "EVENTS.md's tables were not found";
  std::set<std::string> names;
  for (const EventKind& k : event_catalogue()) {
    const std::string name(k.name);
    names.insert(name);
    ASSERT_TRUE(documented.count(name)) << name << " is not in EVENTS.md";
    const std::set<std::string> fields(k.fields.begin(), k.fields.end());
    EXPECT_EQ(documented.at(name), fields) << name << ": EVENTS.md and the catalogue list different fields";
  }
  for (const auto& [name, unused] : documented) EXPECT_TRUE(names.count(name)) << name << " is in EVENTS.md but not in the catalogue";
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
  EXPECT_EQ(find_event_kind("peer_closed")->fields.front(), "row");
  EXPECT_EQ(find_event_kind("peer_close"), nullptr);
}

}  // namespace
}  // namespace iocpsim::engine
