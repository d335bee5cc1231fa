// Step kinds by name. Each kind registers itself from its own file with a static StepRegistration,
// naming its options with their defaults and giving an example; the catalogue (device-sim
// --list-steps, README.md) is printed from here.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "iocpsim/devsim/json_reader.hpp"
#include "iocpsim/devsim/message_json.hpp"
#include "iocpsim/devsim/step.hpp"

namespace iocpsim::devsim {

// The form of an option's value: how the catalogue names it, and the JSON Schema fragment
// (scenarios/schema.json) a value must match. Built with the functions of namespace `form`.
struct OptionForm {
  std::string text;         // "integer ms", "hex string", ...
  std::string schema_json;  // e.g. {"$ref": "#/$defs/ms"}
};

namespace form {
OptionForm ms();  // milliseconds of device time
OptionForm integer(std::uint64_t min = 0, std::uint64_t max = UINT32_MAX);
OptionForm boolean();
OptionForm text();
OptionForm hex();
OptionForm choice(std::vector<std::string> names);
OptionForm message();          // a message object (`type` plus fields)
OptionForm message_pattern();  // a message object whose fields left out match anything
OptionForm message_type();     // a message type name
OptionForm steps();            // an array of steps
OptionForm positive_integers();
}  // namespace form

// What an option is when left out.
struct OptionDefault {
  enum class Kind : std::uint8_t { value, required, absent, one_of };
  // "required", or the value it takes, as the catalogue shows it: JSON ("10", "true", "\"\"") or a
  // bare choice name ("ok").
  OptionDefault(const char* shown);  // NOLINT: reads naturally in option lists
  // Left out, it has no value: `meaning` says what that does ("any", "until accept_connections").
  static OptionDefault absent(std::string meaning);
  // Exactly one option of the group is given (e.g. {"message", "hex"}).
  static OptionDefault one_of(std::vector<std::string> group);
  // Not to be given together with `other` (an option of the same kind).
  OptionDefault excluding(std::string other) &&;

  Kind kind = Kind::value;
  std::string text;                // the catalogue's default column
  std::vector<std::string> group;  // one_of's options
  std::vector<std::string> excluded;
};

struct OptionDoc {
  std::string name;
  OptionForm form;
  OptionDefault default_value;
  std::string meaning;
};

class StepRegistry;

// What parsing a step may need besides its own JSON.
struct StepParseContext {
  const StepRegistry& registry;
  MessageDefaults identity;
};

struct StepKind {
  std::string name;
  std::string category;  // "protocol", "bytes", "connection", "flow"
  std::string summary;
  std::vector<OptionDoc> options;
  std::string example;  // a step of this kind, as JSON text
  // Reads the step's options (not "step") from the reader; the caller rejects unread keys.
  std::function<std::unique_ptr<Step>(JsonReader& reader, const StepParseContext& ctx)> make;
  bool marks_fault = false;  // a misbehaviour: the scenario timeline marks its steps as faults
};

class StepRegistry {
 public:
  static StepRegistry& global();

  void add(StepKind kind);  // a second kind with the same name is a programming error: it throws
  const StepKind* find(std::string_view name) const;
  std::vector<const StepKind*> all() const;  // by category, then name

  // Parses {"step": "<kind>", ...options}; errors name `reader.path()`.
  std::unique_ptr<Step> parse(JsonReader& reader, const MessageDefaults& identity) const;
  std::vector<std::unique_ptr<Step>> parse_list(std::vector<JsonReader> readers, const MessageDefaults& identity) const;

  std::string catalogue_markdown() const;
  // The JSON Schema of one step ($defs.step of scenarios/schema.json), as JSON text.
  std::string schema_json() const;

 private:
  std::deque<StepKind> kinds_;  // a deque: pointers handed out stay valid as kinds are added
};

struct StepRegistration {
  explicit StepRegistration(StepKind kind) { StepRegistry::global().add(std::move(kind)); }
};

}  // namespace iocpsim::devsim
