#include "iocpsim/scenario/timeline.hpp"

#include <cstdio>

namespace iocpsim::scenario {

const char* to_string(TimelineEntry::Source s) noexcept {
  switch (s) {
    case TimelineEntry::Source::engine:
      return "engine";
    case TimelineEntry::Source::shim:
      return "shim";
    case TimelineEntry::Source::device:
      return "device";
    case TimelineEntry::Source::runner:
      return "runner";
  }
  return "?";
}

const char* to_string(TimelineMark::Kind k) noexcept {
  switch (k) {
    case TimelineMark::Kind::matched:
      return "matched";
    case TimelineMark::Kind::failed:
      return "failed";
    case TimelineMark::Kind::nearest:
      return "nearest";
  }
  return "?";
}

namespace {

// Device bytes may reach a timeline's text: a string that is not UTF-8 is carried with U+FFFD
// (dump's "replace") instead of throwing when the JSON is written.
nlohmann::json utf8_safe(const nlohmann::json& v) {
  return nlohmann::json::parse(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

template <class T>
T get_or(const nlohmann::json& v, const char* key, T fallback) {
  const auto it = v.find(key);
  if (it == v.end()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

}  // namespace

nlohmann::json timeline_to_json(const Timeline& t) {
  nlohmann::json entries = nlohmann::json::array();
  for (const TimelineEntry& e : t.entries) {
    entries.push_back({{"t_us", e.t_us},
                       {"source", static_cast<int>(e.source)},
                       {"device", e.device},
                       {"what", e.what},
                       {"text", e.text},
                       {"fault", e.fault},
                       {"message", e.message},
                       {"direction", static_cast<int>(e.direction)},
                       {"fields", e.fields},
                       {"label", e.label},
                       {"event", e.event}});
  }
  nlohmann::json marks = nlohmann::json::array();
  for (const TimelineMark& m : t.marks) {
    marks.push_back({{"kind", static_cast<int>(m.kind)}, {"entry", m.entry}, {"path", m.path}, {"text", m.text}});
  }
  nlohmann::json out = {{"scenario", t.scenario},           {"seed", t.seed},       {"verdict", t.verdict},
                        {"first_failure", t.first_failure}, {"devices", t.devices}, {"entries", std::move(entries)},
                        {"marks", std::move(marks)}};
  return utf8_safe(out);
}

Timeline timeline_from_json(const nlohmann::json& v) {
  Timeline t;
  if (!v.is_object()) return t;
  t.scenario = get_or<std::string>(v, "scenario", "");
  t.seed = get_or<std::uint64_t>(v, "seed", 0);
  t.verdict = get_or<std::string>(v, "verdict", "");
  t.first_failure = get_or<std::string>(v, "first_failure", "");
  t.devices = get_or<std::vector<std::string>>(v, "devices", {});
  if (const auto marks = v.find("marks"); marks != v.end() && marks->is_array()) {
    for (const nlohmann::json& m : *marks) {
      if (!m.is_object()) continue;
      TimelineMark x;
      const int kind = get_or<int>(m, "kind", 0);
      x.kind = kind >= 0 && kind <= 2 ? static_cast<TimelineMark::Kind>(kind) : TimelineMark::Kind::failed;
      x.entry = get_or<std::int64_t>(m, "entry", -1);
      x.path = get_or<std::string>(m, "path", "");
      x.text = get_or<std::string>(m, "text", "");
      t.marks.push_back(std::move(x));
    }
  }
  const auto entries = v.find("entries");
  if (entries == v.end() || !entries->is_array()) return t;
  for (const nlohmann::json& e : *entries) {
    if (!e.is_object()) continue;
    TimelineEntry x;
    x.t_us = get_or<std::int64_t>(e, "t_us", 0);
    const int source = get_or<int>(e, "source", 0);
    x.source = source >= 0 && source <= 3 ? static_cast<TimelineEntry::Source>(source) : TimelineEntry::Source::runner;
    x.device = get_or<std::string>(e, "device", "");
    x.what = get_or<std::string>(e, "what", "");
    x.text = get_or<std::string>(e, "text", "");
    x.fault = get_or<bool>(e, "fault", false);
    x.message = get_or<std::string>(e, "message", "");
    const int direction = get_or<int>(e, "direction", 0);
    x.direction = direction >= 0 && direction <= 2 ? static_cast<TimelineEntry::Direction>(direction)
                                                   : TimelineEntry::Direction::none;
    x.fields = get_or<nlohmann::json>(e, "fields", nlohmann::json::object());
    x.label = get_or<std::string>(e, "label", "");
    x.event = get_or<std::int64_t>(e, "event", -1);
    t.entries.push_back(std::move(x));
  }
  return t;
}

std::string Timeline::to_text(std::size_t max_lines) const {
  std::string out;
  std::size_t first = 0;
  if (entries.size() > max_lines) {
    first = entries.size() - max_lines;
    out += "  ... " + std::to_string(first) + " earlier entries left out\n";
  }
  for (std::size_t i = first; i < entries.size(); ++i) {
    const TimelineEntry& e = entries[i];
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%+10.3f ms", static_cast<double>(e.t_us) / 1000.0);
    char head[160];
    std::snprintf(head, sizeof head, "%s  %-12s %-7s %-22s ", stamp, e.device.empty() ? "-" : e.device.c_str(),
                  to_string(e.source), e.what.c_str());
    out += head;
    out += e.text;
    if (e.fault) out += "  <<< FAULT";
    for (const TimelineMark& m : marks) {
      if (m.entry != static_cast<std::int64_t>(i) || m.kind == TimelineMark::Kind::matched) continue;
      out += m.kind == TimelineMark::Kind::failed ? "  <<< FAILED " + m.path + ": " + m.text
                                                  : "  <<< nearest to " + m.path + ": " + m.text;
    }
    out += '\n';
  }
  return out;
}

}  // namespace iocpsim::scenario
