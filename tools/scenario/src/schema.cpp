#include "iocpsim/scenario/schema.hpp"

#include <functional>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "iocpsim/devsim/step_registry.hpp"
#include "iocpsim/engine/event_catalogue.hpp"
#include "iocpsim/engine/option_table.hpp"
#include "iocpsim/iocp/fault_outcomes.hpp"

namespace iocpsim::scenario {
namespace detail {
extern const char* const kSchemaStructure;
}  // namespace detail
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json event_names() {
  ordered_json names = ordered_json::array();
  for (const engine::EventKind& k : engine::event_catalogue()) names.push_back(std::string(k.name));
  return {{"enum", std::move(names)}, {"description", "an engine event name (host/engine/EVENTS.md)"}};
}

// Each generated $defs entry by name; structure.json holds {"$generated": "<where it comes from>"} there.
const std::map<std::string, std::function<ordered_json()>>& generators() {
  static const std::map<std::string, std::function<ordered_json()>> all = {
      {"step", [] { return ordered_json::parse(devsim::StepRegistry::global().schema_json()); }},
      {"eventName", event_names},
      {"faultRule", [] { return ordered_json::parse(iocp::fault_rule_schema_json()); }},
      {"faultCall", [] { return ordered_json::parse(iocp::fault_call_schema_json()); }},
      {"engineOptions", [] { return engine::option_schema(engine::engine_option_table()); }},
      {"deviceConfig", [] { return engine::option_schema(engine::device_option_table()); }},
  };
  return all;
}

}  // namespace

std::string scenario_schema() {
  ordered_json schema = ordered_json::parse(detail::kSchemaStructure);
  ordered_json& defs = schema.at("$defs");
  for (const auto& [name, make] : generators()) {
    if (!defs.contains(name) || !defs[name].contains("$generated")) {
      throw std::logic_error("schema structure: $defs." + name + " should be a {\"$generated\": ...} placeholder");
    }
    defs[name] = make();
  }
  for (const auto& [name, def] : defs.items()) {
    if (def.is_object() && def.contains("$generated")) {
      throw std::logic_error("schema structure: nothing generates $defs." + name);
    }
  }
  return schema.dump(2) + "\n";
}

}  // namespace iocpsim::scenario
