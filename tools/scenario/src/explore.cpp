// iocpsim explore: draw, run, check, shrink, write. See explore.hpp.
#include "iocpsim/scenario/explore.hpp"

#include "iocpsim/scenario/junit.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "iocpsim/iocp/fault_outcomes.hpp"
#include "iocpsim/scenario/expect.hpp"
#include "iocpsim/scenario/invariants.hpp"
#include "iocpsim/scenario/junit.hpp"
#include "iocpsim/scenario/load.hpp"
#include "iocpsim/scenario/runner.hpp"
#include "iocpsim/world/clock.hpp"

namespace iocpsim::scenario {
namespace {

using Json = nlohmann::ordered_json;
using iocp::Call;
using iocp::Outcome;

// The calls the engine makes that a rule can watch (it dials out and dequeues in batches).
constexpr Call kEngineCalls[] = {Call::WSARecv, Call::WSASend, Call::ConnectEx, Call::GetQueuedCompletionStatusEx,
                                 Call::SetFileCompletionNotificationModes};

// Device steps that misbehave: a script holding one is hostile already.
const std::set<std::string>& hostile_steps() {
  static const std::set<std::string> steps = {"reset",
                                              "close",
                                              "half_close",
                                              "stall",
                                              "send_garbage",
                                              "corrupt_next_frame",
                                              "send_oversize_length",
                                              "stop_reading",
                                              "refuse_connections",
                                              "never_accept",
                                              "reset_connections",
                                              "send_hex",
                                              "drip",
                                              "send_chunked",
                                              "accept_after",
                                              "answer_next_command"};
  return steps;
}

// The device misbehaviours explore places: each a function of the run's draw.
struct StepKind {
  const char* name;
  Json (*make)(std::mt19937_64&);
};

std::uint64_t between(std::mt19937_64& rng, std::uint64_t lo, std::uint64_t hi) {
  return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
}

const std::vector<StepKind>& step_kinds() {
  static const std::vector<StepKind> kinds = {
      {"reset",
       [](std::mt19937_64&) {
         return Json::array({Json{{"step", "reset"}}});
       }},
      {"close",
       [](std::mt19937_64&) {
         return Json::array({Json{{"step", "close"}}});
       }},
      {"half_close",
       [](std::mt19937_64&) {
         return Json::array({Json{{"step", "half_close"}}});
       }},
      {"stall",
       [](std::mt19937_64& r) {
         return Json::array({Json{{"step", "stall"}, {"for_ms", between(r, 50, 3000)}}});
       }},
      {"send_garbage",
       [](std::mt19937_64& r) {
         return Json::array({Json{{"step", "send_garbage"}, {"bytes", between(r, 1, 64)}}});
       }},
      {"corrupt_crc",
       [](std::mt19937_64&) {
         return Json::array({Json{{"step", "corrupt_next_frame"}, {"what", "crc"}}});
       }},
      {"oversize_length",
       [](std::mt19937_64& r) {
         return Json::array(
             {Json{{"step", "send_oversize_length"}, {"payload_len", between(r, 1u << 20, 0xFFFFFFFFu)}}});
       }},
      {"stop_reading",
       [](std::mt19937_64& r) {
         return Json::array({Json{{"step", "stop_reading"}}, Json{{"step", "wait"}, {"ms", between(r, 10, 2000)}},
                             Json{{"step", "resume_reading"}}});
       }},
      {"refuse_connections",
       [](std::mt19937_64& r) {
         return Json::array({Json{{"step", "refuse_connections"}, {"for_ms", between(r, 50, 1500)}}});
       }},
  };
  return kinds;
}

// The shim outcomes explore places, with the engine calls each can apply to.
struct RuleKind {
  Outcome outcome;
  std::vector<Call> calls;
  bool port;  // a rule on the port (or every socket): no device is untouched then
};

const std::vector<RuleKind>& rule_kinds() {
  static const std::vector<RuleKind> kinds = [] {
    std::vector<RuleKind> out;
    for (const iocp::OutcomeSpec& spec : iocp::outcome_table()) {
      RuleKind k{spec.outcome, {}, iocp::outcome_group(spec.outcome) == iocp::OutcomeGroup::port};
      for (Call c : kEngineCalls) {
        if ((iocp::allowed_calls(spec.outcome) & iocp::call_bit(c)) != 0) k.calls.push_back(c);
      }
      if (!k.calls.empty()) out.push_back(std::move(k));
    }
    return out;
  }();
  return kinds;
}

std::string rule_kind_name(const RuleKind& k) { return std::string("rule:") + iocp::outcome_name(k.outcome); }
std::string step_kind_name(const StepKind& k) { return std::string("step:") + k.name; }

Json rule_json(const RuleKind& k, Call call, const std::string& device, std::uint64_t nth, std::mt19937_64& rng,
               std::size_t index) {
  Json when = {{"call", iocp::call_name(call)}};
  if (!k.port) when["tag"] = device;
  when["nth"] = nth;
  Json rule = {
      {"name", "explore " + std::to_string(index)}, {"when", when}, {"outcome", iocp::outcome_name(k.outcome)}};
  if (k.outcome == Outcome::short_send || k.outcome == Outcome::success) rule["bytes"] = between(rng, 1, 16);
  return rule;
}

bool expects_ready(const Json& doc, const std::string& device) {
  const auto e = doc.find("expect");
  if (e == doc.end() || !e->is_object()) return false;
  const auto f = e->find("final_state");
  if (f == e->end() || !f->is_object()) return false;
  const auto d = f->find(device);
  return d != f->end() && d->is_string() && *d == "ready";
}

// The devices nothing was done to, that the base expects ready.
std::set<std::string> untouched(const ExploreBase& base, const std::vector<Placement>& faults) {
  std::set<std::string> out;
  if (base.has_faults) return out;
  for (const Placement& p : faults) {
    if (p.device.empty()) return out;  // a port rule touches every device
  }
  for (const std::string& d : base.devices) {
    if (base.hostile.at(d) || !expects_ready(base.document, d)) continue;
    if (std::none_of(faults.begin(), faults.end(), [&](const Placement& p) { return p.device == d; })) out.insert(d);
  }
  return out;
}

struct Outcome1 {
  std::vector<Violation> violations;
  RunResult run;
};

Outcome1 run_variant(const ExploreBase& base, const std::vector<Placement>& faults, std::uint64_t seed,
                     const world::ScheduleOptions& schedule) {
  Outcome1 out;
  const Json doc = apply_placements(base, faults, "explored", "");
  Scenario s;
  try {
    s = parse_scenario_json(nlohmann::json::parse(doc.dump()), base.file + " (explored)");
  } catch (const ScenarioError& e) {
    // A draw the file format refuses is explore's own mistake, never the engine's: say so loudly.
    out.violations.push_back({"explore_draw_valid", e.what()});
    return out;
  }
  RunOptions o;
  o.seed = seed;
  o.world = World::sim;
  o.schedule = schedule;
  out.run = run_scenario(s, o);
  InvariantScope scope;
  scope.limit_ms = s.limit_ms;
  scope.untouched_devices = untouched(base, faults);
  scope.delivery = s.expect.delivery;
  out.violations = check_invariants(out.run, scope);
  return out;
}

bool breaks(const Outcome1& o, const std::string& invariant) {
  return std::any_of(o.violations.begin(), o.violations.end(),
                     [&](const Violation& v) { return v.invariant == invariant; });
}

std::string base_name(const std::string& file) { return std::filesystem::path(file).stem().string(); }

std::string schedule_text(const world::ScheduleOptions& s) {
  if (s.strategy == world::Strategy::pct) return "pct:" + std::to_string(s.pct_depth);
  char p[32];
  std::snprintf(p, sizeof p, "%g", s.switch_probability);
  return std::string("random:") + p;
}

}  // namespace

std::string Placement::describe() const {
  if (kind == Kind::rule) return "rule " + json.dump();
  std::string steps;
  for (const auto& s : json) steps += (steps.empty() ? "" : ", ") + s.dump();
  return "device " + device + " script[" + std::to_string(position) + "]: " + steps;
}

std::string read_explore_base(const std::string& file, ExploreBase& base) {
  Scenario s;
  try {
    s = load_scenario(file);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  if (s.real_only) return "real_only: " + *s.real_only;
  if (s.expected_verdict == "fail") return "the file expects its run to fail";
  std::ifstream in(file);
  base.file = file;
  base.document = Json::parse(in);
  base.has_faults = !s.faults.empty();
  for (const devsim::DeviceSpec& d : s.devices) {
    base.devices.push_back(d.name);
    base.script[d.name] = d.script.size();
    bool hostile = false;
    for (const auto& step : d.script) {
      if (step.is_object() && hostile_steps().count(step.value("step", "")) != 0) hostile = true;
    }
    base.hostile[d.name] = hostile;
  }
  if (base.devices.empty()) return "no devices";
  return "";
}

std::uint64_t explore_run_seed(std::uint64_t sweep_seed, std::uint64_t k) {
  return world::stream_seed(sweep_seed, "explore run " + std::to_string(k));
}

std::vector<std::uint64_t> shard_runs(const ExploreOptions& o) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t k = o.shard_index; k < o.runs; k += std::max(1u, o.shard_count)) out.push_back(k);
  return out;
}

ExploreDraw draw_run(const std::vector<ExploreBase>& bases, std::uint64_t k, const ExploreOptions& o) {
  ExploreDraw d;
  d.seed = explore_run_seed(o.seed, k);
  std::mt19937_64 rng(world::stream_seed(d.seed, "explore draw"));
  d.base = static_cast<std::size_t>(between(rng, 0, bases.size() - 1));
  const ExploreBase& base = bases[d.base];
  // Swarm: each kind is on with chance 1/2 (at least one), so runs differ in what they stress.
  std::vector<const RuleKind*> rules;
  std::vector<const StepKind*> steps;
  for (const RuleKind& r : rule_kinds()) {
    if (between(rng, 0, 1) == 1) rules.push_back(&r);
  }
  for (const StepKind& s : step_kinds()) {
    if (between(rng, 0, 1) == 1) steps.push_back(&s);
  }
  if (rules.empty() && steps.empty()) steps.push_back(&step_kinds()[between(rng, 0, step_kinds().size() - 1)]);
  for (const RuleKind* r : rules) d.kinds.push_back(rule_kind_name(*r));
  for (const StepKind* s : steps) d.kinds.push_back(step_kind_name(*s));
  const std::uint64_t n = between(rng, 1, std::max(1u, o.max_faults));
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::size_t pick = static_cast<std::size_t>(between(rng, 0, rules.size() + steps.size() - 1));
    const std::string& device = base.devices[between(rng, 0, base.devices.size() - 1)];
    Placement p;
    if (pick < rules.size()) {
      const RuleKind& r = *rules[pick];
      const Call call = r.calls[between(rng, 0, r.calls.size() - 1)];
      p.kind = Placement::Kind::rule;
      p.device = r.port ? "" : device;
      p.json = rule_json(r, call, device, between(rng, 1, 12), rng, i);
    } else {
      const StepKind& s = *steps[pick - rules.size()];
      p.kind = Placement::Kind::step;
      p.device = device;
      p.position = static_cast<std::size_t>(between(rng, 0, base.script.at(device)));
      p.json = Json::array({Json{{"step", "wait"}, {"ms", between(rng, 0, 1500)}}});
      for (auto& step : s.make(rng)) p.json.push_back(step);
    }
    d.faults.push_back(std::move(p));
  }
  return d;
}

nlohmann::ordered_json apply_placements(const ExploreBase& base, const std::vector<Placement>& faults,
                                        const std::string& name, const std::string& description) {
  Json doc = base.document;
  doc["name"] = name;
  if (!description.empty()) doc["description"] = description;
  auto& tags = doc["tags"];
  if (!tags.is_array()) tags = Json::array();
  tags.push_back("explored");
  for (auto& dev : doc["devices"]) {
    const std::string dname = dev.value("name", "");
    Json script = dev.contains("script") ? dev["script"] : Json::array();
    Json out = Json::array();
    for (std::size_t i = 0; i <= script.size(); ++i) {
      for (const Placement& p : faults) {
        if (p.kind != Placement::Kind::step || p.device != dname || p.position != i) continue;
        for (const auto& step : p.json) out.push_back(step);
      }
      if (i < script.size()) out.push_back(script[i]);
    }
    if (!out.empty()) dev["script"] = out;
  }
  for (const Placement& p : faults) {
    if (p.kind == Placement::Kind::rule) doc["faults"].push_back(p.json);
  }
  // The file's own expectations told its story, not this one: the invariants judge the run, and
  // a device nothing was done to must end ready.
  Json expect = Json::object();
  if (base.document.contains("expect") && base.document["expect"].contains("delivery"))
    expect["delivery"] = base.document["expect"]["delivery"];
  const std::set<std::string> ready = untouched(base, faults);
  for (const std::string& d : ready) expect["final_state"][d] = "ready";
  doc["expect"] = expect;
  doc.erase("verdict");
  if (doc.contains("run") && doc["run"].contains("until")) doc["run"]["until_required"] = false;
  return doc;
}

std::string replay_command(const std::string& file, const world::ScheduleOptions& schedule) {
  return "iocpsim run " + file + " --world sim --schedule " + schedule_text(schedule);
}

ExploreReport explore(const std::vector<ExploreBase>& bases, const ExploreOptions& o,
                      const std::function<void(const std::string&)>& progress) {
  ExploreReport report;
  const auto t0 = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  std::set<std::string> seen_failures;  // base + invariant: one shrunk file each
  std::uint64_t points = 0;
  // Run numbers one at a time: with a time budget the sweep has no end to list beforehand.
  for (std::uint64_t k = o.shard_index; k < o.runs; k += std::max(1u, o.shard_count)) {
    if (o.time_budget_s > 0 && elapsed() >= o.time_budget_s) break;
    const ExploreDraw d = draw_run(bases, k, o);
    const ExploreBase& base = bases[d.base];
    for (const Placement& p : d.faults) {
      const std::string kind = p.kind == Placement::Kind::rule ? "rule:" + p.json.value("outcome", "")
                                                               : "step:" + p.json.back().value("step", "");
      ++report.kinds_drawn[kind];
    }
    const Outcome1 r = run_variant(base, d.faults, d.seed, o.schedule);
    ++report.runs;
    report.invariant_checks += invariant_table().size();
    if (r.run.schedule) points += r.run.schedule->points;
    for (const engine::Event& e : r.run.events) {
      const auto row = e.fields.find("row");
      if (row != e.fields.end() && row->is_string()) ++report.rows[row->get<std::string>()];
    }
    if (progress && report.runs % 100 == 0) {
      progress(std::to_string(report.runs) + " runs, " + std::to_string(report.failures.size()) + " failures");
    }
    if (r.violations.empty()) continue;
    const Violation& v = r.violations.front();
    if (!seen_failures.insert(base.file + "\n" + v.invariant).second) continue;
    ExploreFailure f;
    f.base_file = base.file;
    f.run = k;
    f.seed = d.seed;
    f.invariant = v.invariant;
    f.detail = v.detail;
    f.faults_drawn = d.faults.size();
    if (progress) {
      progress("run " + std::to_string(k) + " (seed " + std::to_string(d.seed) + ", " + base.file + ", " +
               std::to_string(d.faults.size()) + " faults) broke " + v.invariant + ": " + v.detail + "; shrinking");
    }
    // Shrinking: take faults away one at a time while the same invariant still breaks.
    const auto s0 = std::chrono::steady_clock::now();
    std::vector<Placement> faults = d.faults;
    for (bool smaller = true; smaller && faults.size() > 1;) {
      smaller = false;
      for (std::size_t i = 0; i < faults.size(); ++i) {
        std::vector<Placement> fewer = faults;
        fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
        ++f.shrink_runs;
        const Outcome1 again = run_variant(base, fewer, d.seed, o.schedule);
        if (breaks(again, v.invariant)) {
          faults = std::move(fewer);
          smaller = true;
          break;
        }
      }
    }
    f.shrunk = faults;
    f.shrink_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
    // The file: the base with the shrunk faults, the run's seed, the invariants as expectations.
    std::filesystem::create_directories(o.out_dir);
    const std::string name = base_name(base.file) + "-explored-" + std::to_string(d.seed);
    f.written = (std::filesystem::path(o.out_dir) / (name + ".json")).string();
    f.command = replay_command(f.written, o.schedule);
    std::string description = "Found by iocpsim explore (sweep seed " + std::to_string(o.seed) + ", run " +
                              std::to_string(k) + ") from " + base.file + ": " + v.invariant + " broke (" + v.detail +
                              "). " + std::to_string(faults.size()) + " of the " + std::to_string(d.faults.size()) +
                              " faults drawn are left. Replay: " + f.command;
    Json doc = apply_placements(base, faults, name, description);
    doc["seed"] = d.seed;
    doc.erase("$schema");
    {
      std::ofstream out(f.written);
      out << doc.dump(2) << "\n";
    }
    try {
      Scenario replay = load_scenario(f.written);
      RunOptions ro;
      ro.world = World::sim;
      ro.schedule = o.schedule;
      RunResult rr = run_scenario(replay, ro);
      f.replays = !judge(replay, rr).passed;
    } catch (const std::exception&) {
      f.replays = false;
    }
    report.failures.push_back(std::move(f));
    if (report.failures.size() >= o.max_failures) break;
  }
  report.seconds = elapsed();
  if (o.schedule.strategy == world::Strategy::pct && report.runs > 0) {
    // PCT finds a bug of depth d with probability at least 1/(n k^(d-1)) per run; n threads (the
    // engine's workers, the devices, the runner: about 5), k the scheduling points of a run.
    const double k_points = static_cast<double>(points) / static_cast<double>(report.runs);
    report.pct_bound = 1.0 / (5.0 * std::pow(std::max(1.0, k_points), static_cast<double>(o.schedule.pct_depth) - 1));
  }
  return report;
}

// The sweep as a testcase (its runs and time), and each failure as a failed one: a CI server shows
// each shrunk failure with the command that replays it; shards' reports merge as any JUnit files.
std::string explore_junit(const ExploreReport& r, const ExploreOptions& o) {
  const std::string shard = std::to_string(o.shard_index) + "/" + std::to_string(o.shard_count);
  std::vector<JUnitCase> cases;
  JUnitCase sweep;
  sweep.name = "sweep seed " + std::to_string(o.seed) + " shard " + shard + ": " + std::to_string(r.runs) + " runs";
  sweep.classname = "explore";
  sweep.time_s = r.seconds;
  sweep.seed = o.seed;
  cases.push_back(sweep);
  for (const ExploreFailure& f : r.failures) {
    JUnitCase c;
    c.name = f.invariant + " (run " + std::to_string(f.run) + ")";
    c.classname = "explore";
    c.file = f.base_file;
    c.time_s = f.shrink_s;
    c.seed = f.seed;
    c.status = JUnitCase::Status::failed;
    c.message = f.invariant + ": " + f.detail;
    c.details =
        "shrunk from " + std::to_string(f.faults_drawn) + " to " + std::to_string(f.shrunk.size()) + " faults:\n";
    for (const Placement& p : f.shrunk) c.details += "  " + p.describe() + "\n";
    c.details += "written: " + f.written + (f.replays ? " (replays)" : " (does NOT replay)") + "\nreplay: " + f.command;
    cases.push_back(std::move(c));
  }
  return junit_xml(cases, r.seconds);
}

}  // namespace iocpsim::scenario
