// Step kinds by name. Each kind registers itself from its own file with a static StepRegistration,
// naming its options with their defaults and giving an example; the catalogue (device-sim
// --list-steps, README.md) is printed from here.
#pragma once

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

struct OptionDoc {
  std::string name;
  std::string form;           // "integer ms", "hex string", ...
  std::string default_value;  // "required" when there is none
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

 private:
  std::deque<StepKind> kinds_;  // a deque: pointers handed out stay valid as kinds are added
};

struct StepRegistration {
  explicit StepRegistration(StepKind kind) { StepRegistry::global().add(std::move(kind)); }
};

}  // namespace iocpsim::devsim
