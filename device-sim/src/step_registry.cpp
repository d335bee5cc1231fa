#include "iocpsim/devsim/step_registry.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

namespace iocpsim::devsim {

using ordered_json = nlohmann::ordered_json;

namespace form {
namespace {
OptionForm of(std::string text, const ordered_json& schema) { return {std::move(text), schema.dump()}; }
ordered_json ref(const char* def) { return {{"$ref", std::string("#/$defs/") + def}}; }
ordered_json integer_schema(std::uint64_t min, std::uint64_t max) {
  return {{"type", "integer"}, {"minimum", min}, {"maximum", max}};
}
}  // namespace

OptionForm ms() { return of("integer ms", ref("ms")); }
OptionForm integer(std::uint64_t min, std::uint64_t max) {
  if (max == UINT32_MAX) {
    if (min == 0) return of("integer", ref("uint32"));
    return of("integer >= " + std::to_string(min), integer_schema(min, max));
  }
  const std::string text = "integer " + std::to_string(min) + ".." + std::to_string(max);
  return of(text, min == 0 && max == UINT16_MAX ? ref("uint16") : integer_schema(min, max));
}
OptionForm boolean() { return of("boolean", {{"type", "boolean"}}); }
OptionForm text() { return of("string", {{"type", "string"}}); }
OptionForm hex() { return of("hex string", ref("hex")); }
OptionForm choice(std::vector<std::string> names) {
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
  return of(text, {{"enum", names}});
}
OptionForm message() { return of("message object", ref("message")); }
OptionForm message_pattern() { return of("message pattern", ref("message")); }
OptionForm message_type() { return of("message type name", {{"enum", message_type_names()}}); }
OptionForm steps() { return of("array of steps", {{"type", "array"}, {"items", ref("step")}}); }
OptionForm positive_integers() {
  return of("array of positive integers",
            {{"type", "array"}, {"minItems", 1}, {"items", integer_schema(1, UINT32_MAX)}});
}
}  // namespace form

OptionDefault::OptionDefault(const char* shown)
    : kind(std::string_view(shown) == "required" ? Kind::required : Kind::value), text(shown) {}

OptionDefault OptionDefault::absent(std::string meaning) {
  OptionDefault d("");
  d.kind = Kind::absent;
  d.text = std::move(meaning);
  return d;
}

OptionDefault OptionDefault::one_of(std::vector<std::string> group) {
  OptionDefault d("");
  d.kind = Kind::one_of;
  d.text = "one of";
  for (std::size_t i = 0; i < group.size(); ++i) d.text += (i == 0 ? " " : "/") + group[i];
  d.group = std::move(group);
  return d;
}

OptionDefault OptionDefault::excluding(std::string other) && {
  excluded.push_back(std::move(other));
  return std::move(*this);
}

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

namespace {

// The kind's option table is the list of keys a step may have: anything else is refused before the
// kind reads its options, with the nearest documented option as the suggestion.
void reject_undocumented_keys(JsonReader& reader, const StepKind& kind) {
  std::vector<std::string> known{"step"};
  for (const auto& o : kind.options) known.push_back(o.name);
  for (const auto& [key, value] : reader.value().items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const auto hint = nearest_key(key, known);
    std::string listed;
    for (const auto& k : known) listed += (listed.empty() ? "" : ", ") + k;
    throw SpecError(reader.path_of(key), "unknown key" + (hint ? " (did you mean \"" + *hint + "\"?)" : std::string()) +
                                             "; known keys: " + listed);
  }
}

// The value an option takes when left out, as JSON: the text itself when it is JSON, else the
// text as a string (a bare choice name).
ordered_json default_json(const std::string& text) {
  ordered_json v = ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  return v.is_discarded() ? ordered_json(text) : v;
}

ordered_json kind_schema(const StepKind& k) {
  ordered_json properties{{"step", true}};
  std::vector<std::string> required;
  std::vector<std::vector<std::string>> groups;
  ordered_json exclusions = ordered_json::array();
  for (const auto& o : k.options) {
    ordered_json p = ordered_json::parse(o.form.schema_json);
    p["description"] = o.meaning;
    switch (o.default_value.kind) {
      case OptionDefault::Kind::value:
        p["default"] = default_json(o.default_value.text);
        break;
      case OptionDefault::Kind::required:
        required.push_back(o.name);
        break;
      case OptionDefault::Kind::one_of:
        if (std::find(groups.begin(), groups.end(), o.default_value.group) == groups.end()) {
          groups.push_back(o.default_value.group);
        }
        break;
      case OptionDefault::Kind::absent:
        break;
    }
    for (const auto& other : o.default_value.excluded) exclusions.push_back({{"not", {{"required", {other, o.name}}}}});
    properties[o.name] = std::move(p);
  }
  ordered_json then{{"type", "object"},
                    {"properties", std::move(properties)},
                    {"additionalProperties", false},
                    {"description", k.summary}};
  if (!required.empty()) then["required"] = required;
  for (const auto& group : groups) {
    ordered_json exactly_one = ordered_json::array();  // oneOf: both given match twice, none given never
    for (const auto& name : group) exactly_one.push_back({{"required", {name}}});
    then["oneOf"] = std::move(exactly_one);
  }
  if (!exclusions.empty()) then["allOf"] = std::move(exclusions);
  return {{"if", {{"properties", {{"step", {{"const", k.name}}}}}, {"required", {"step"}}}}, {"then", std::move(then)}};
}

}  // namespace

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
  reject_undocumented_keys(reader, *kind);
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
        out += "| `" + o.name + "` | " + o.form.text + " | " + o.default_value.text + " | " + o.meaning + " |\n";
      }
    }
    out += "\n```json\n" + nlohmann::json::parse(k->example).dump() + "\n```\n";
  }
  return out;
}

std::string StepRegistry::schema_json() const {
  std::vector<const StepKind*> kinds;
  for (const auto& k : kinds_) kinds.push_back(&k);
  std::sort(kinds.begin(), kinds.end(), [](const StepKind* a, const StepKind* b) { return a->name < b->name; });
  ordered_json names = ordered_json::array();
  ordered_json each = ordered_json::array();
  for (const auto* k : kinds) {
    names.push_back(k->name);
    each.push_back(kind_schema(*k));
  }
  const ordered_json step{{"type", "object"},
                          {"required", {"step"}},
                          {"description", "one script step (device-sim/README.md, step catalogue)"},
                          {"properties", {{"step", {{"enum", names}, {"description", "the step kind"}}}}},
                          {"allOf", each}};
  return step.dump();
}

}  // namespace iocpsim::devsim
