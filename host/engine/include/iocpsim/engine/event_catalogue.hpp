// Every event the engine emits, with the fields it carries: the one list that EVENTS.md documents
// (a test checks they agree) and that scenario files are checked against (event names in
// expectations, field names in matchers).
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace iocpsim::engine {

struct EventKind {
  std::string_view name;
  std::vector<std::string_view> fields;  // besides the keys every event has (kEventCommonKeys)
};

// In EVENTS.md's order.
std::span<const EventKind> event_catalogue();

// The catalogue's entry for `name`, or nullptr.
const EventKind* find_event_kind(std::string_view name);

// The keys of every event line: version, time, name and (for device events) the device.
inline constexpr std::string_view kEventCommonKeys[] = {"v", "t_ms", "event", "device"};

}  // namespace iocpsim::engine
