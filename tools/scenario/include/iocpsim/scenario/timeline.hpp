// A scenario run's timeline: device steps, the shim's journal and engine events, merged in time
// order. The text form goes into failure messages; the HTML form is a page a person reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iocpsim::scenario {

struct TimelineEntry {
  enum class Source : std::uint8_t { engine, shim, device, runner };
  std::int64_t t_us = 0;  // since the start of the run; all sources share this epoch
  Source source = Source::engine;
  std::string device;  // the connection it belongs to ("" for engine-wide / port calls)
  std::string what;    // short name: an event name, a call name, a step kind, an action
  std::string text;    // one readable line of details
  bool fault = false;  // a shim rule changed this call, or a device step misbehaved on purpose
  // Set when the entry moves a protocol message between host and device: the message type
  // ("hello", "telemetry", ...), and its direction.
  std::string message;
  enum class Direction : std::uint8_t { none, host_to_device, device_to_host } direction = Direction::none;
  nlohmann::json fields = nlohmann::json::object();  // the raw fields, for the detail view
  std::string label;        // what the diagram writes beside the mark ("" : `what`); a completion's answer
  std::int64_t event = -1;  // an engine entry: the index of its event in the run (RunResult::events)
};

// Where an expectation of the scenario file met the run, drawn on the diagram and in the table.
struct TimelineMark {
  enum class Kind : std::uint8_t {
    matched,  // an expect.events entry matched this entry
    failed,   // the first unmet expectation: at the entry after which it was looked for in vain (or
              // the entry that broke a `never`)
    nearest,  // the event closest to the failed one: same name and device, `text` says what differed
  };
  Kind kind = Kind::matched;
  std::int64_t entry = -1;  // index into Timeline::entries; -1 when the run has no entry to point at
  std::string path;         // the expectation's JSON path: "expect.events[2]"
  std::string text;         // what it expected, or what differed
};
const char* to_string(TimelineMark::Kind k) noexcept;

const char* to_string(TimelineEntry::Source s) noexcept;

struct Timeline {
  std::string scenario;  // the scenario's name
  std::uint64_t seed = 0;
  std::string verdict;                 // "pass", "fail", "error", "timeout"
  std::string first_failure;           // the first unmet expectation, "" when it passed
  std::vector<std::string> devices;    // in file order: one lane each in the sequence diagram
  std::vector<TimelineEntry> entries;  // sorted by t_us (stable for equal times)
  std::vector<TimelineMark> marks;     // filled by judge(): where the expectations matched and failed

  // One line per entry: "+12.345 ms  device-a  shim     WSARecv ... [rule 0: peer_reset]".
  std::string to_text(std::size_t max_lines = 400) const;
};

// The timeline as JSON and back, to carry it from the process that played a run to the one that
// reports it. Strings that are not valid UTF-8 (a device's bytes) are carried with U+FFFD.
nlohmann::json timeline_to_json(const Timeline& timeline);
Timeline timeline_from_json(const nlohmann::json& value);  // tolerant: missing keys keep defaults

// A self-contained HTML page (inline CSS/JS, no external resources): a header with the verdict,
// seed and first failure; a per-connection sequence diagram (lanes: engine | shim | each device)
// with arrows for messages and red markers for faults; and the full, filterable entry table.
std::string render_html(const Timeline& timeline);
std::string render_html(const std::vector<Timeline>& timelines);  // several runs on one page

}  // namespace iocpsim::scenario
