#include "iocpsim/devsim/step_registry.hpp"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace iocpsim::devsim {

StepRegistry& StepRegistry::global() {
  static StepRegistry registry;
  return registry;
}

void StepRegistry::add(StepKind kind) {
  if (find(kind.name) != nullptr) throw std::logic_error("step kind registered twice: " + kind.name);
  kinds_.push_back(std::move(kind));
}

const StepKind* StepRegistry::find(std::string_view name) const {
  for (const auto& k : kinds_) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::vector<const StepKind*> StepRegistry::all() const {
  static const std::vector<std::string> order = {"protocol", "bytes", "connection", "flow"};
  const auto rank = [](const StepKind* k) {
    return std::find(order.begin(), order.end(), k->category) - order.begin();
  };
  std::vector<const StepKind*> out;
  for (const auto& k : kinds_) out.push_back(&k);
  std::sort(out.begin(), out.end(), [&](const StepKind* a, const StepKind* b) {
    return rank(a) != rank(b) ? rank(a) < rank(b) : a->name < b->name;
  });
  return out;
}

std::unique_ptr<Step> StepRegistry::parse(JsonReader& reader, const MessageDefaults& identity) const {
  std::vector<std::string> names;
  for (const auto& k : kinds_) names.push_back(k.name);
  if (!reader.has("step")) throw SpecError(reader.path_of("step"), "is required (the step kind, e.g. \"send\")");
  const auto name = reader.get_string("step", "");
  const auto* kind = find(name);
  if (kind == nullptr) {
    const auto hint = nearest_key(name, names);
    throw SpecError(reader.path_of("step"), "unknown step kind \"" + name + "\"" +
                                                (hint ? " (did you mean \"" + *hint + "\"?)" : "") +
                                                "; device-sim --list-steps shows them all");
  }
  auto step = kind->make(reader, StepParseContext{*this, identity});
  reader.finish();
  step->set_origin(kind->name, reader.path());
  return step;
}

std::vector<std::unique_ptr<Step>> StepRegistry::parse_list(std::vector<JsonReader> readers,
                                                            const MessageDefaults& identity) const {
  std::vector<std::unique_ptr<Step>> steps;
  for (auto& r : readers) steps.push_back(parse(r, identity));
  return steps;
}

std::string StepRegistry::catalogue_markdown() const {
  std::string out;
  std::string category;
  for (const auto* k : all()) {
    if (k->category != category) {
      category = k->category;
      out += "\n### " + category + " steps\n";
    }
    out += "\n#### `" + k->name + "`\n\n" + k->summary + "\n\n";
    if (k->options.empty()) {
      out += "No options.\n";
    } else {
      out += "| option | form | default | meaning |\n|---|---|---|---|\n";
      for (const auto& o : k->options) {
        out += "| `" + o.name + "` | " + o.form + " | " + o.default_value + " | " + o.meaning + " |\n";
      }
    }
    out += "\n```json\n" + nlohmann::json::parse(k->example).dump() + "\n```\n";
  }
  return out;
}

}  // namespace iocpsim::devsim
