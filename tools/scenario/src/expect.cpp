#include "iocpsim/scenario/expect.hpp"

#include "iocpsim/scenario/invariants.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <utility>

#include "iocpsim/engine/event_catalogue.hpp"

namespace iocpsim::scenario {
namespace {

using nlohmann::json;

std::string event_text(const RunResult& run, std::size_t i) {
  const engine::Event& e = run.events[i];
  std::string out = run_time(run.event_us(i)) + " `" + e.name + "`";
  if (!e.device.empty()) out += " of " + e.device;
  return out + " " + e.fields.dump();
}

// A dotted key inside a JSON object; nullptr if absent.
const json* lookup(const json& object, const std::string& dotted) {
  const json* at = &object;
  std::size_t start = 0;
  while (at != nullptr) {
    const std::size_t dot = dotted.find('.', start);
    const std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    if (dot == std::string::npos) return at;
    start = dot + 1;
  }
  return nullptr;
}

// Index of the engine's shutdown_started: events from there on belong to the shutdown phase.
std::size_t shutdown_index(const RunResult& run) {
  const auto it = std::find_if(run.events.begin(), run.events.end(),
                               [](const engine::Event& e) { return e.name == "shutdown_started"; });
  return static_cast<std::size_t>(it - run.events.begin());
}

bool in_phase(const EventMatcher& m, std::size_t index, std::size_t shutdown_at) {
  return !m.phase || (*m.phase == "run") == (index < shutdown_at);
}

bool event_matches(const EventMatcher& m, const engine::Event& e) {
  if (e.name != m.event || (m.device && e.device != *m.device)) return false;
  for (const FieldMatcher& f : m.fields) {
    if (!f.matcher.matches(lookup(e.fields, f.key))) return false;
  }
  return true;
}

// Where the expectations met the run, for the timeline: each mark with the index of the unmet
// line it belongs to (matched marks: none).
struct Marks {
  std::vector<std::pair<std::size_t, TimelineMark>> list;
  std::map<std::size_t, std::int64_t> entry_of_event;  // event index -> timeline entry index

  explicit Marks(const RunResult& r) {
    for (std::size_t k = 0; k < r.timeline.entries.size(); ++k) {
      if (r.timeline.entries[k].event >= 0) entry_of_event.emplace(r.timeline.entries[k].event, k);
    }
  }
  std::int64_t entry(std::size_t event) const {
    const auto it = entry_of_event.find(event);
    return it == entry_of_event.end() ? -1 : it->second;
  }
  void add(std::size_t unmet, TimelineMark::Kind kind, std::optional<std::size_t> event, std::string path,
           std::string text) {
    list.push_back({unmet, {kind, event ? entry(*event) : -1, std::move(path), std::move(text)}});
  }
};

// What keeps event e from matching m: "fields.code: expected = 9, got 8", or its phase.
std::string first_difference(const EventMatcher& m, const engine::Event& e, bool phase_ok) {
  for (const FieldMatcher& f : m.fields) {
    const json* got = lookup(e.fields, f.key);
    if (!f.matcher.matches(got)) {
      return "fields." + f.key + ": expected " + f.matcher.describe() + ", got " + (got ? got->dump() : "nothing");
    }
  }
  if (!phase_ok) return "phase: expected " + *m.phase + ", it came in the other";
  return "it came before the expectation before it matched";
}

constexpr std::size_t kMatched = static_cast<std::size_t>(-1);

void check_events(const Scenario& s, const RunResult& run, std::vector<std::string>& out, Marks* marks) {
  std::size_t next = 0;
  std::optional<std::int64_t> last_at;
  std::optional<std::size_t> last_index;
  const std::size_t shutdown_at = shutdown_index(run);
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    const engine::Event& e = run.events[i];
    if (next < s.expect.events.size() && event_matches(s.expect.events[next], e) &&
        in_phase(s.expect.events[next], i, shutdown_at)) {
      if (marks) {
        marks->add(kMatched, TimelineMark::Kind::matched, i, s.expect.events[next].path,
                   s.expect.events[next].describe());
      }
      last_at = run.event_us(i);
      last_index = i;
      ++next;
    }
  }
  if (next == s.expect.events.size()) return;
  const EventMatcher& m = s.expect.events[next];
  std::string msg = m.path + ": " + m.describe() + " never came";
  if (next > 0) msg += " after " + s.expect.events[next - 1].path + " (matched at " + run_time(*last_at) + ")";
  // The nearest candidate: the first event of that name and device after the last match, else
  // the first one at all.
  std::optional<std::size_t> nearest;
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    const engine::Event& e = run.events[i];
    if (e.name != m.event || (m.device && e.device != *m.device)) continue;
    if (!nearest) nearest = i;
    if (!last_index || i > *last_index) {
      nearest = i;
      break;
    }
  }
  if (nearest) msg += "; the nearest: " + event_text(run, *nearest);
  out.push_back(msg);
  if (!marks) return;
  marks->add(out.size() - 1, TimelineMark::Kind::failed, last_index, m.path,
             m.describe() + (last_index ? " never came after this" : " never came"));
  if (nearest) {
    marks->add(out.size() - 1, TimelineMark::Kind::nearest, *nearest, m.path,
               first_difference(m, run.events[*nearest], in_phase(m, *nearest, shutdown_at)));
  }
}

void check_never(const Scenario& s, const RunResult& run, std::vector<std::string>& out, Marks* marks) {
  const std::size_t shutdown_at = shutdown_index(run);
  for (const EventMatcher& m : s.expect.never) {
    for (std::size_t i = 0; i < run.events.size(); ++i) {
      if (!event_matches(m, run.events[i]) || !in_phase(m, i, shutdown_at)) continue;
      std::string msg = m.path + ": " + m.describe() + " must never happen, but did: " + event_text(run, i);
      if (!m.phase && i >= shutdown_at)
        msg += " (during the engine's shutdown; \"phase\": \"run\" looks at the run phase only)";
      out.push_back(msg);
      if (marks) marks->add(out.size() - 1, TimelineMark::Kind::failed, i, m.path, m.describe() + " must never happen");
      break;
    }
  }
}

void check_final_state(const Scenario& s, const RunResult& run, std::vector<std::string>& out) {
  for (const auto& [device, want] : s.expect.final_state) {
    const auto it = run.final_states.find(device);
    const std::string got = it == run.final_states.end() ? "(not recorded)" : it->second;
    if (got != want) out.push_back("expect.final_state." + device + ": expected " + want + ", got " + got);
  }
}

// `values` maps a key to the value the run recorded; absent keys count as 0 when `zero_default`.
void check_values(const std::string& path, const std::vector<FieldMatcher>& matchers, const json& values,
                  bool zero_default, std::vector<std::string>& out) {
  static const json zero = 0;
  for (const FieldMatcher& f : matchers) {
    const json* got = lookup(values, f.key);
    if (got == nullptr && zero_default && !f.matcher.exists) got = &zero;
    if (f.matcher.matches(got)) continue;
    out.push_back(path + "." + f.key + ": expected " + f.matcher.describe() + ", got " +
                  (got ? got->dump() : "nothing"));
  }
}

void check_counters(const Scenario& s, const RunResult& run, std::vector<std::string>& out) {
  const std::size_t shutdown_at = shutdown_index(run);
  for (const auto& [device, matchers] : s.expect.counters) {
    for (const FieldMatcher& f : matchers) {
      std::uint64_t total = 0;
      std::uint64_t late = 0;
      for (std::size_t i = 0; i < run.events.size(); ++i) {
        if (run.events[i].name != f.key || run.events[i].device != device) continue;
        ++total;
        late += i >= shutdown_at ? 1 : 0;
      }
      const json got = total;
      if (f.matcher.matches(&got)) continue;
      std::string msg = "expect.counters." + (device.empty() ? std::string("\"\"") : device) + "." + f.key +
                        ": expected " + f.matcher.describe() + ", got " + got.dump();
      if (late > 0) msg += " (" + std::to_string(late) + " of them during the engine's shutdown)";
      out.push_back(msg);
    }
  }
}

void check_commands(const Scenario& s, const RunResult& run, std::vector<std::string>& out) {
  for (const auto& [device, matchers] : s.expect.commands) {
    const auto it = run.commands.find(device);
    const json results = it == run.commands.end() ? json::object() : json(it->second);
    const std::size_t before = out.size();
    check_values("expect.commands." + device, matchers, results, true, out);
    for (std::size_t i = before; i < out.size(); ++i) out[i] += " (all results: " + results.dump() + ")";
  }
}

void check_device(const Scenario& s, const RunResult& run, std::vector<std::string>& out) {
  for (const auto& [device, matchers] : s.expect.device) {
    const auto it = run.device_records.find(device);
    check_values("expect.device." + device, matchers, it == run.device_records.end() ? json::object() : it->second,
                 true, out);
  }
}

// A run phase that ended before its `until` held did not tell the story the file is about.
void check_until(const Scenario& s, const RunResult& run, std::vector<std::string>& out) {
  if (!run.until_met || *run.until_met || !s.run.until_required) return;
  std::string missing;
  for (const EventCount& c : s.run.until) {
    const auto seen =
        static_cast<std::uint64_t>(std::count_if(run.events.begin(), run.events.end(), [&](const engine::Event& e) {
          return e.name == c.event && (!c.device || e.device == *c.device);
        }));
    if (seen >= c.count) continue;
    missing += (missing.empty() ? "" : "; ") + c.describe() + " (seen " + std::to_string(seen) + ")";
  }
  out.push_back("run.until: not met when the run phase ended at " + run.run_phase_end +
                (run.run_phase_end == "max_ms" ? " (" + std::to_string(s.run.max_ms) + " ms)" : std::string()) + ": " +
                missing + "; \"until_required\": false accepts that");
}

}  // namespace

std::string run_time(std::int64_t t_us) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.3f ms", static_cast<double>(t_us) / 1000.0);
  return text;
}

namespace {

std::vector<std::string> unmet(const Scenario& s, const RunResult& run, Marks* marks) {
  std::vector<std::string> out;
  // The universal invariants, then the file's expectations. Delivery is an invariant a file may
  // waive (`expect.delivery`: false), so it is checked where it always was.
  InvariantScope scope;
  scope.limit_ms = s.limit_ms;
  scope.delivery = false;  // checked below, in its place among the file's expectations
  for (const Violation& v : check_invariants(run, scope)) out.push_back(v.detail);
  check_until(s, run, out);
  check_events(s, run, out, marks);
  check_never(s, run, out, marks);
  check_final_state(s, run, out);
  check_counters(s, run, out);
  check_commands(s, run, out);
  check_device(s, run, out);
  if (s.expect.delivery) {
    for (const std::string& p : delivery_problems(run)) out.push_back("delivery: " + p);
  }
  if (s.expect.shutdown_polite && run.shutdown_done && run.shutdown.drained_politely != *s.expect.shutdown_polite) {
    out.push_back(std::string("expect.shutdown.polite: expected ") + (*s.expect.shutdown_polite ? "true" : "false") +
                  ", got " + (run.shutdown.drained_politely ? "true" : "false"));
  }
  return out;
}

// The marks in the order of the unmet lines (matched ones first); an unmet line no entry shows
// (a final state, a counter, an invariant) gets a mark of its own with no entry.
std::vector<TimelineMark> ordered_marks(Marks& marks, const std::vector<std::string>& lines) {
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const bool placed = std::any_of(marks.list.begin(), marks.list.end(), [&](const auto& m) {
      return m.first == k && m.second.kind == TimelineMark::Kind::failed;
    });
    if (!placed) {
      const auto colon = lines[k].find(": ");
      const std::string path = colon == std::string::npos ? "" : lines[k].substr(0, colon);
      marks.list.push_back({k, {TimelineMark::Kind::failed, -1, path, lines[k]}});
    }
  }
  // Matched marks (kMatched) last in size_t order: put them first instead.
  std::stable_sort(marks.list.begin(), marks.list.end(), [](const auto& a, const auto& b) {
    const auto rank = [](std::size_t k) { return k == kMatched ? std::size_t{0} : k + 1; };
    return rank(a.first) < rank(b.first);
  });
  std::vector<TimelineMark> out;
  for (auto& [k, m] : marks.list) out.push_back(std::move(m));
  return out;
}

}  // namespace

std::vector<std::string> unmet_expectations(const Scenario& s, const RunResult& run) { return unmet(s, run, nullptr); }

std::string Judgement::summary() const {
  if (passed) return verdict == "pass" ? "pass" : "pass (failed as expected: " + first_failure + ")";
  if (verdict == "pass") return "fail: every expectation was met, but the scenario expects to fail";
  return verdict + ": " + first_failure;
}

Judgement judge(const Scenario& s, RunResult& run) {
  Judgement j;
  Marks marks(run);
  j.unmet = unmet(s, run, &marks);
  run.timeline.marks = ordered_marks(marks, j.unmet);
  j.first_failure = j.unmet.empty() ? "" : j.unmet.front();
  j.verdict = !run.error.empty() ? "error" : run.timed_out ? "timeout" : j.unmet.empty() ? "pass" : "fail";
  j.passed = s.expected_verdict == "fail" ? j.verdict == "fail" : j.verdict == "pass";
  // The page shows the scenario's outcome: a negative scenario that failed as it should is a pass.
  run.timeline.verdict = s.expected_verdict != "fail" ? j.verdict
                         : j.passed                   ? "pass (failed as expected)"
                                                      : "fail (expected to fail)";
  run.timeline.first_failure = j.first_failure;
  return j;
}

}  // namespace iocpsim::scenario
