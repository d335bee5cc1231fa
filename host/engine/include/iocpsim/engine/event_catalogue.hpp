// Every event the engine emits, with its fields, their types and what it means: the one table of
// engine events. EVENTS.md's event tables and the scenario schema's event names are generated from
// it (`iocpsim generate`); scenario files are checked against it (event names in expectations,
// field names in matchers); the scenario runner and the session fuzzer check every event a run
// writes against it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace iocpsim::engine {

enum class FieldType : std::uint8_t { text, integer, boolean };
const char* to_string(FieldType t) noexcept;

struct EventField {
  std::string_view name;
  FieldType type;
};

struct EventKind {
  std::string_view name;
  std::string_view group;          // EVENTS.md's section
  std::vector<EventField> fields;  // besides the keys every event has (kEventCommonKeys)
  std::string_view fields_doc;     // EVENTS.md's fields column: each field, its values, alternatives
  std::string_view when;           // what it means: when the engine emits it

  const EventField* field(std::string_view field_name) const;
};

// In EVENTS.md's order.
std::span<const EventKind> event_catalogue();

// The catalogue's entry for `name`, or nullptr.
const EventKind* find_event_kind(std::string_view name);

// "" if `fields` (an event's fields, a JSON object) holds only fields of `kind`, each of its type;
// else what is wrong, naming the event and the field.
std::string event_fields_problem(const EventKind& kind, const nlohmann::json& fields);

// EVENTS.md's event sections: per group, a table of each event, its fields (with types) and when.
std::string event_catalogue_markdown();

// The keys of every event line: version, time, name and (for device events) the device.
inline constexpr std::string_view kEventCommonKeys[] = {"v", "t_ms", "event", "device"};

}  // namespace iocpsim::engine
