// The `expect` section, matchers and event references of a scenario file.
#include <algorithm>

#include "iocpsim/engine/engine.hpp"
#include "iocpsim/engine/event_catalogue.hpp"
#include "load_detail.hpp"

namespace iocpsim::scenario::detail {
namespace {

using devsim::JsonReader;
using devsim::SpecError;
using nlohmann::json;

const std::vector<std::string> kMatcherKeys = {"min", "max", "in", "not", "exists"};

bool is_matcher_object(const json& v) {
  if (!v.is_object() || v.empty()) return false;
  return std::all_of(v.items().begin(), v.items().end(), [](const auto& item) {
    return std::find(kMatcherKeys.begin(), kMatcherKeys.end(), item.key()) != kMatcherKeys.end();
  });
}

std::optional<std::string> read_device_ref(JsonReader& r, const Names& names) {
  if (!r.has("device")) return std::nullopt;
  std::string device = r.get_string("device", "");
  names.require_device(device, r.path_of("device"), /*engine_wide_ok=*/true);
  return device;
}

std::vector<std::string> command_result_names() {
  std::vector<std::string> out;
  for (auto o : {engine::CommandOutcome::ok, engine::CommandOutcome::device_status, engine::CommandOutcome::timeout,
                 engine::CommandOutcome::connection_lost, engine::CommandOutcome::shutdown}) {
    out.emplace_back(engine::to_string(o));
  }
  for (auto s : {engine::Submit::queue_full, engine::Submit::too_many_in_flight, engine::Submit::not_ready,
                 engine::Submit::unknown_device, engine::Submit::shutting_down}) {
    out.emplace_back(engine::to_string(s));
  }
  return out;
}

const std::vector<std::string> kRecordKeys = {"sent",
                                              "received",
                                              "telemetry",
                                              "bytes_queued",
                                              "bytes_written",
                                              "bytes_received",
                                              "connections_accepted",
                                              "telemetry_dropped",
                                              "send_queue_peak_bytes",
                                              "send_backpressure",
                                              "decode_errors"};

// {"received": {"bye": 1}} -> "received.bye" = 1; nested objects that are not matchers are maps.
void flatten(const json& v, const std::string& key, const std::string& path, std::vector<FieldMatcher>& out) {
  if (v.is_object() && !v.empty() && !is_matcher_object(v)) {
    for (const auto& [k, inner] : v.items()) flatten(inner, key + "." + k, path + "." + k, out);
    return;
  }
  out.push_back({key, read_matcher(v, path)});
}

bool is_count(const json& v) { return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() == 0); }

// A matcher on a count (of events, of command results) must be one a count can meet.
void require_count_matcher(const json& value, const Matcher& m, const std::string& path) {
  const auto bad = [&](const std::string& why) {
    throw SpecError(
        path, "expected a count: a whole number from 0, or a matcher of counts (" + why + "), got " + shortened(value));
  };
  if (m.equals && !is_count(*m.equals)) bad("a count is a whole number from 0");
  if (m.max && *m.max < 0) bad("max below 0 can never be met");
  if (m.in && std::none_of(m.in->begin(), m.in->end(), is_count)) bad("\"in\" holds no whole number from 0");
  if (m.exists && !*m.exists) bad("a count always exists");
}

// {"<device>": {"<key>": matcher}}, keys checked against `known`.
std::map<std::string, std::vector<FieldMatcher>> read_per_device(JsonReader r, const Names& names,
                                                                 const std::vector<std::string>& known,
                                                                 const char* what, bool nested, Problems& problems) {
  std::map<std::string, std::vector<FieldMatcher>> out;
  for (const auto& entry : r.value().items()) {
    const std::string& device = entry.key();
    names.require_device(device, r.path_of(device), /*engine_wide_ok=*/std::string_view(what) == "event name");
    JsonReader inner = r.object(device);
    for (const auto& field : entry.value().items())
      problems.attempt([&] {
        const std::string& key = field.key();
        const json& value = field.value();
        if (std::find(known.begin(), known.end(), key) == known.end()) {
          throw SpecError(inner.path_of(key), std::string("expected ") + what + " (" + quoted_list(known) + ")" +
                                                  ", got \"" + key + "\"" + did_you_mean(key, known));
        }
        if (nested) {
          flatten(value, key, inner.path_of(key), out[device]);
        } else {
          Matcher m = read_matcher(value, inner.path_of(key));
          require_count_matcher(value, m, inner.path_of(key));
          out[device].push_back({key, std::move(m)});
        }
      });
    out.try_emplace(device);
  }
  return out;
}

std::map<std::string, std::string> read_final_state(JsonReader r, const Names& names) {
  const std::vector<std::string> states = {"backoff", "connecting", "handshaking", "ready", "closing", "stopped"};
  std::map<std::string, std::string> out;
  for (const auto& [device, unused] : r.value().items()) {
    names.require_device(device, r.path_of(device));
    out[device] = r.get_choice(device, "", states);
  }
  return out;
}

std::vector<EventMatcher> read_event_list(JsonReader& r, std::string_view key, const Names& names, Problems& problems) {
  std::vector<EventMatcher> out;
  if (!r.has(key)) return out;
  const json& list = r.raw(key);
  if (!list.is_array()) throw SpecError(r.path_of(key), "expected an array of objects, got " + shortened(list));
  for (std::size_t i = 0; i < list.size(); ++i) {
    problems.attempt([&] {
      out.push_back(read_event_matcher(JsonReader(list[i], r.path_of(key) + "[" + std::to_string(i) + "]"), names));
    });
  }
  return out;
}

// A field a matcher names must be one the event carries (EVENTS.md, engine::event_catalogue).
void require_event_field(const std::string& event, const std::string& field, const std::string& path) {
  const engine::EventKind* kind = engine::find_event_kind(event);
  if (kind == nullptr) return;  // the event name itself is reported
  std::vector<std::string> known;
  for (const engine::EventField& f : kind->fields) known.emplace_back(f.name);
  for (std::string_view f : engine::kEventCommonKeys) known.emplace_back(f);
  if (std::find(known.begin(), known.end(), field) != known.end()) return;
  std::vector<std::string> own(known.begin(), known.begin() + static_cast<std::ptrdiff_t>(kind->fields.size()));
  throw SpecError(path, "expected a field of `" + event + "` (" +
                            (own.empty() ? std::string("it has none but ") + "the common keys" : quoted_list(own)) +
                            "; host/engine/EVENTS.md), got \"" + field + "\"" + did_you_mean(field, known));
}

}  // namespace

Matcher read_matcher(const json& value, const std::string& path) {
  Matcher m;
  if (value.is_number() || value.is_string() || value.is_boolean()) {
    m.equals = value;
    return m;
  }
  if (!value.is_object() || value.empty()) {
    throw SpecError(path, "expected a literal (number, string, true/false) or a matcher object with " +
                              quoted_list(kMatcherKeys) + ", got " + shortened(value));
  }
  JsonReader r(value, path);
  if (r.has("min")) m.min = r.get_number("min", 0, -1e18, 1e18);
  if (r.has("max")) m.max = r.get_number("max", 0, -1e18, 1e18);
  if (r.has("in")) {
    const json& in = r.raw("in");
    if (!in.is_array() || in.empty())
      throw SpecError(r.path_of("in"), "expected a non-empty array of allowed values, got " + shortened(in));
    m.in = std::vector<json>(in.begin(), in.end());
  }
  if (r.has("not")) m.differs_from = r.raw("not");
  if (r.has("exists")) m.exists = r.get_bool("exists", true);
  r.finish();
  if (m.min && m.max && *m.min > *m.max)
    throw SpecError(r.path_of("min"),
                    "expected min <= max, got min " + json(*m.min).dump() + " > max " + json(*m.max).dump());
  return m;
}

EventMatcher read_event_matcher(JsonReader r, const Names& names) {
  EventMatcher m;
  m.path = r.path();
  m.event = r.require_string("event");
  Names::require_event(m.event, r.path_of("event"));
  m.device = read_device_ref(r, names);
  if (r.has("phase")) m.phase = r.get_choice("phase", "", {"run", "shutdown"});
  if (r.has("fields")) {
    JsonReader fields = r.object("fields");
    for (const auto& [key, value] : fields.value().items()) {
      require_event_field(m.event, key, fields.path_of(key));
      m.fields.push_back({key, read_matcher(value, fields.path_of(key))});
    }
  }
  r.finish();
  return m;
}

EventCount read_event_count(JsonReader r, const Names& names) {
  EventCount c;
  c.event = r.require_string("event");
  Names::require_event(c.event, r.path_of("event"));
  c.device = read_device_ref(r, names);
  c.count = r.get_uint("count", 1, 1'000'000);
  if (c.count == 0) throw SpecError(r.path_of("count"), "expected a positive integer, got 0");
  r.finish();
  return c;
}

Expectations read_expectations(JsonReader r, const Names& names, Problems& problems) {
  Expectations e;
  problems.attempt([&] { e.events = read_event_list(r, "events", names, problems); });
  problems.attempt([&] { e.never = read_event_list(r, "never", names, problems); });
  if (r.has("final_state")) problems.attempt([&] { e.final_state = read_final_state(r.object("final_state"), names); });
  if (r.has("counters")) {
    problems.attempt([&] {
      e.counters = read_per_device(r.object("counters"), names, engine_event_names(), "event name", false, problems);
    });
  }
  if (r.has("commands")) {
    problems.attempt([&] {
      e.commands =
          read_per_device(r.object("commands"), names, command_result_names(), "a command result", false, problems);
    });
  }
  if (r.has("device")) {
    problems.attempt([&] {
      e.device = read_per_device(r.object("device"), names, kRecordKeys, "a delivery record key", true, problems);
    });
  }
  problems.attempt([&] { e.delivery = r.get_bool("delivery", true); });
  if (r.has("shutdown")) {
    problems.attempt([&] {
      JsonReader s = r.object("shutdown");
      if (s.has("polite")) e.shutdown_polite = s.get_bool("polite", true);
      s.finish();
    });
  }
  for (const SpecError& unknown : r.unknown_keys()) problems.add(unknown);
  return e;
}

}  // namespace iocpsim::scenario::detail
