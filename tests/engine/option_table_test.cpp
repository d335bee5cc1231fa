// The option tables are the one list of what a file can set: each entry's default is the struct's,
// its value goes to its own member, its schema fragment has exactly the table's options (and their
// old names), and scenarios/schema.json holds that fragment until the schema is generated from it.
#include "iocpsim/engine/option_table.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace iocpsim::engine {
namespace {

using nlohmann::json;

template <class Options>
std::set<std::string> names_in(const OptionTable<Options>& table, bool with_old_names) {
  std::set<std::string> out;
  for (const Option<Options>& o : table.options) {
    out.insert(o.spec.name);
    if (with_old_names) out.insert(o.spec.old_names.begin(), o.spec.old_names.end());
  }
  return out;
}

std::set<std::string> properties_of(const nlohmann::ordered_json& schema) {
  std::set<std::string> out;
  for (const auto& [key, unused] : schema.at("properties").items()) out.insert(key);
  return out;
}

json committed_def(const std::string& name) {
  std::ifstream in(IOCPSIM_SCENARIO_SCHEMA);
  return json::parse(in).at("$defs").at(name);
}

template <class Options>
void expect_each_name_once_and_a_meaning(const OptionTable<Options>& table) {
  std::set<std::string> seen;
  for (const Option<Options>& o : table.options) {
    EXPECT_FALSE(o.spec.meaning.empty()) << o.spec.name;
    EXPECT_TRUE(seen.insert(o.spec.name).second) << o.spec.name;
    for (const std::string& old : o.spec.old_names) EXPECT_TRUE(seen.insert(old).second) << old;
  }
}

TEST(OptionTableTest, NoNameIsGivenTwiceAndEveryOptionSaysWhatItMeans) {
  expect_each_name_once_and_a_meaning(engine_option_table());
  expect_each_name_once_and_a_meaning(device_option_table());
}

TEST(OptionTableTest, DefaultsAreTheStructsOwn) {
  const EngineOptions e;
  const DeviceConfig d;
  const auto default_of = [](const auto& table, const std::string& name) {
    for (const auto& o : table.options) {
      if (o.spec.name == name) return o.spec.default_value;
    }
    return json();
  };
  EXPECT_EQ(default_of(engine_option_table(), "workers"), e.workers);
  EXPECT_EQ(default_of(engine_option_table(), "frame_max_bytes"), e.frame_max_bytes);
  EXPECT_EQ(default_of(engine_option_table(), "host_id"), e.host_id);
  EXPECT_EQ(default_of(engine_option_table(), "skip_completion_port_on_success"), "if_honoured");
  EXPECT_EQ(default_of(device_option_table(), "send_queue_max_bytes"), d.send_queue_max_bytes);
  EXPECT_EQ(default_of(device_option_table(), "backoff_jitter"), d.backoff_jitter);
  EXPECT_EQ(default_of(device_option_table(), "reconnect"), d.reconnect);
}

// A value other than the default, of the option's type and in its range.
json another_value(const OptionSpec& spec) {
  switch (spec.type) {
    case OptionType::string:
      return "another";
    case OptionType::boolean:
      return !spec.default_value.get<bool>();
    case OptionType::completion_skip:
      return "never";
    case OptionType::number:
      return spec.max;
    default:
      return static_cast<std::uint64_t>(spec.default_value == spec.max ? spec.min : spec.max);
  }
}

// Each option is stored where it is read from, and in no other member.
template <class Options>
void expect_each_option_stored_in_its_own_member(const OptionTable<Options>& table) {
  for (const Option<Options>& o : table.options) {
    Options changed;
    o.store(changed, another_value(o.spec));
    EXPECT_EQ(o.value(changed), another_value(o.spec)) << o.spec.name;
    for (const Option<Options>& other : table.options) {
      if (&other == &o) continue;
      EXPECT_EQ(other.value(changed), other.spec.default_value) << o.spec.name << " changed " << other.spec.name;
    }
  }
}

TEST(OptionTableTest, EachOptionIsStoredInItsOwnMember) {
  expect_each_option_stored_in_its_own_member(engine_option_table());
  expect_each_option_stored_in_its_own_member(device_option_table());
}

TEST(OptionTableTest, TheSchemaFragmentHasExactlyTheTablesOptionsAndTheirOldNames) {
  const auto engine = option_schema(engine_option_table());
  EXPECT_EQ(properties_of(engine), names_in(engine_option_table(), true));
  EXPECT_EQ(engine.at("additionalProperties"), false);
  const auto device = option_schema(device_option_table());
  EXPECT_EQ(properties_of(device), names_in(device_option_table(), true));
  EXPECT_EQ(device.at("properties").at("send_queue_bytes_max").at("deprecated"), true);
  EXPECT_EQ(device.at("properties").at("send_queue_max_bytes").at("maximum"), 64u << 20);
  EXPECT_EQ(device.at("properties").at("backoff_jitter").at("type"), "number");
  EXPECT_EQ(engine.at("properties").at("skip_completion_port_on_success").at("default"), "if_honoured");
}

TEST(OptionTableTest, TheScenarioSchemaHoldsTheFragments) {
  EXPECT_EQ(committed_def("engineOptions"), json(option_schema(engine_option_table())));
  EXPECT_EQ(committed_def("deviceConfig"), json(option_schema(device_option_table())));
}

TEST(OptionTableTest, TheMarkdownTableHasARowPerOption) {
  const std::string md = option_markdown(device_option_table());
  EXPECT_EQ(md.rfind("| key | type | range | default | meaning |\n|---|---|---|---|---|\n", 0), 0u);
  EXPECT_EQ(static_cast<std::size_t>(std::count(md.begin(), md.end(), '\n')), device_option_table().options.size() + 2);
  EXPECT_NE(md.find("| `send_queue_max_bytes` (old name: `send_queue_bytes_max`) | bytes | 64 … 64 MiB | `262144` |"),
            std::string::npos)
      << md;
  EXPECT_NE(option_markdown(engine_option_table()).find("| `shutdown_timeout_ms` | ms | 1 … 24 h | `2000` |"),
            std::string::npos);
}

TEST(OptionTableTest, TheFormOfAValueIsSaidAsMessagesSayIt) {
  OptionSpec spec{"n", {}, OptionType::ms, 1, 60'000, 5, "x"};
  EXPECT_EQ(option_form(spec), "an integer from 1 to 60000");
  spec.type = OptionType::number;
  spec.max = 1;
  EXPECT_EQ(option_form(spec), "a number from 1.0 to 1.0");
  spec.type = OptionType::completion_skip;
  EXPECT_EQ(option_form(spec), kCompletionSkipForms);
}

}  // namespace
}  // namespace iocpsim::engine
