#include "play.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "child_process.hpp"
#include "iocpsim/scenario/load.hpp"
#include "iocpsim/scenario/runner.hpp"
#include "iocpsim/scenario/suite.hpp"

namespace iocpsim::cli {
namespace {

using namespace iocpsim::scenario;
using nlohmann::json;

constexpr auto kReplace = json::error_handler_t::replace;

// A run over its limit ends with a "timeout" verdict once it returns. One that never returns
// (a deadlock) would hang the whole command: past the limit and a grace period, say so and exit.
// One thread watches every run of the command in flight (a thread per run cost more than a
// simulated run itself).
class Watchdog {
 public:
  static Watchdog& instance() {
    static Watchdog w;
    return w;
  }

  // While it lives, the run must end before limit_ms + grace_ms.
  class Armed {
   public:
    Armed(const Scenario& s, std::uint64_t seed, std::uint32_t grace_ms)
        : id_(instance().arm(
              display_name(s), seed, grace_ms,
              std::chrono::steady_clock::now() + std::chrono::milliseconds(std::uint64_t{s.limit_ms} + grace_ms))) {}
    ~Armed() { instance().disarm(id_); }
    Armed(const Armed&) = delete;
    Armed& operator=(const Armed&) = delete;

   private:
    std::uint64_t id_;
  };

  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  struct Run {
    std::chrono::steady_clock::time_point deadline;
    std::string name;
    std::uint64_t seed;
    std::uint32_t grace_ms;
  };

  Watchdog() : thread_([this] { watch(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  std::uint64_t arm(std::string name, std::uint64_t seed, std::uint32_t grace_ms,
                    std::chrono::steady_clock::time_point deadline) {
    std::lock_guard lock(mutex_);
    const std::uint64_t id = next_id_++;
    runs_.emplace(id, Run{deadline, std::move(name), seed, grace_ms});
    changed_.notify_all();
    return id;
  }
  void disarm(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    runs_.erase(id);
  }

  void watch() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (runs_.empty()) {
        changed_.wait(lock);
        continue;
      }
      const auto first = std::min_element(runs_.begin(), runs_.end(), [](const auto& a, const auto& b) {
        return a.second.deadline < b.second.deadline;
      });
      // A copy: the run may end and take its entry with it while this waits.
      const std::chrono::steady_clock::time_point deadline = first->second.deadline;
      if (std::chrono::steady_clock::now() < deadline) {
        changed_.wait_until(lock, deadline);
        continue;
      }
      std::cout << "FAIL  " << first->second.name << " (seed " << first->second.seed
                << "): timeout: the run did not end within limit_ms + " << first->second.grace_ms << " ms; giving up"
                << std::endl;
      std::_Exit(1);
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::uint64_t, Run> runs_;
  std::uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest is built
};

// Streams every engine event to the parent as it happens.
class ParentStream final : public engine::EventSink {
 public:
  void write(const engine::Event& e) override {
    const std::string line = json{{"event", e.to_json()}}.dump(-1, ' ', false, kReplace) + "\n";
    std::lock_guard lock(mutex_);
    write_to_parent(line);
  }

 private:
  std::mutex mutex_;
};

json judgement_to_json(const Judgement& j) {
  return {{"verdict", j.verdict}, {"passed", j.passed}, {"first_failure", j.first_failure}, {"unmet", j.unmet}};
}

Judgement judgement_from_json(const json& v) {
  Judgement j;
  j.verdict = v.value("verdict", std::string("error"));
  j.passed = v.value("passed", false);
  j.first_failure = v.value("first_failure", std::string());
  j.unmet = v.value("unmet", std::vector<std::string>{});
  return j;
}

// What the report says of a child that ended without reporting.
std::string what_ended(const ChildOutcome& out, std::uint64_t deadline_ms) {
  if (!out.spawn_error.empty()) return "the run could not be started: " + out.spawn_error;
  if (out.killed_at_deadline) {
    return "the run did not end within limit_ms and its grace, " + std::to_string(deadline_ms) +
           " ms in all; its process was killed";
  }
  // A result followed by a bad end: a leak or sanitizer report at exit, a crash in teardown.
  const std::string after = out.result ? "the run finished, but its process then " : "the run's process ";
  if (out.signal != 0) return after + "was killed by " + signal_name(out.signal);
  return after + "exited with code " + std::to_string(out.exit_code) + (out.result ? "" : " without a result");
}

// The last lines of the child's output, for the report.
std::vector<std::string> tail_lines(const std::string& text, std::size_t max_lines) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  if (lines.size() > max_lines) lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(max_lines));
  return lines;
}

// A run that left no result: its failure, the last events it streamed and the end of its output.
void judge_lost_run(Played& p, const ChildOutcome& out, std::uint64_t deadline_ms) {
  Judgement& j = p.judgement;
  j.verdict = out.killed_at_deadline ? "timeout" : kCrashVerdict;
  j.passed = false;  // a crash or a hang is never the failure a negative scenario expects
  j.first_failure = what_ended(out, deadline_ms);
  j.unmet.push_back(j.first_failure);
  Timeline& t = p.timeline;
  t.scenario = p.scenario->name;
  t.seed = p.seed;
  t.verdict = j.verdict;
  t.first_failure = j.first_failure;
  t.devices = p.scenario->device_names();
  for (const std::string& text : out.last_events) {
    const json e = json::parse(text, nullptr, /*allow_exceptions=*/false);
    TimelineEntry entry;
    entry.source = TimelineEntry::Source::engine;
    entry.what = e.is_object() ? e.value("event", std::string("?")) : "?";
    entry.device = e.is_object() ? e.value("device", std::string()) : "";
    entry.t_us = e.is_object() ? e.value("t_ms", std::int64_t{0}) * 1000 : 0;
    entry.text = text;
    t.entries.push_back(std::move(entry));
    j.unmet.push_back("last events: " + text);
  }
  for (const std::string& line : tail_lines(out.output_tail, 40)) {
    TimelineEntry entry;
    entry.source = TimelineEntry::Source::runner;
    entry.what = "output";
    entry.text = line;
    t.entries.push_back(std::move(entry));
    j.unmet.push_back("output: " + line);
  }
}

}  // namespace

std::optional<world::ScheduleOptions> parse_schedule(const std::string& text) {
  world::ScheduleOptions o;
  if (text.empty() || text == "random") return o;
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : text.substr(colon + 1);
  try {
    std::size_t used = 0;
    if (kind == "random") {
      o.switch_probability = std::stod(arg, &used);
      if (used != arg.size() || !(o.switch_probability >= 0.0 && o.switch_probability <= 1.0)) return std::nullopt;
      return o;
    }
    if (kind == "pct") {
      o.strategy = world::Strategy::pct;
      if (arg.empty()) return o;
      const unsigned long depth = std::stoul(arg, &used);
      if (used != arg.size() || depth < 1 || depth > 64) return std::nullopt;
      o.pct_depth = static_cast<unsigned>(depth);
      return o;
    }
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

Played play_here(const Scenario& s, unsigned repetition, std::uint64_t seed, std::uint32_t grace_ms, World world,
                 const std::string& schedule, bool keep_trace) {
  Played p;
  p.scenario = &s;
  p.repetition = repetition;
  p.seed = seed;
  p.world = world;
  p.schedule = schedule;
  RunResult run = [&] {
    const Watchdog::Armed watchdog(s, p.seed, grace_ms);
    return run_scenario(
        s, RunOptions{p.seed, nullptr, world, parse_schedule(schedule).value_or(world::ScheduleOptions{})});
  }();
  p.judgement = judge(s, run);
  p.duration_ms = run.duration_ms;
  if (keep_trace) p.trace = run.trace();
  p.timeline = std::move(run.timeline);
  return p;
}

Played play_in_child(const std::string& self, const Scenario& s, unsigned repetition, std::uint64_t seed,
                     std::uint32_t grace_ms, World world, const std::string& schedule, bool keep_trace) {
  Played p;
  p.scenario = &s;
  p.repetition = repetition;
  p.seed = seed;
  p.world = world;
  p.schedule = schedule;
  const std::uint64_t deadline_ms = std::uint64_t{s.limit_ms} + grace_ms;
  const auto started = std::chrono::steady_clock::now();
  const ChildOutcome out =
      run_child(self, ChildRequest{s.file, seed, std::chrono::milliseconds(deadline_ms), to_string(world), schedule});
  p.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  // A result written just before a crash at exit (a leak report, a sanitizer's at-exit check)
  // does not make the run good: the process must also have ended cleanly.
  const bool clean = out.exit_code == 0 && out.signal == 0 && !out.killed_at_deadline;
  if (out.result && clean) {
    p.judgement = judgement_from_json(out.result->value("judgement", json::object()));
    p.duration_ms = out.result->value("duration_ms", p.duration_ms);
    p.timeline = timeline_from_json(out.result->value("timeline", json::object()));
    if (keep_trace) p.trace = out.result->value("trace", std::vector<std::string>{});
    return p;
  }
  judge_lost_run(p, out, deadline_ms);
  return p;
}

int play_child_command(const std::string& file, std::uint64_t seed, World world, const std::string& schedule) {
  Scenario s;
  try {
    s = load_scenario(file);
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  auto stream = std::make_shared<ParentStream>();
  RunResult run =
      run_scenario(s, RunOptions{seed, stream, world, parse_schedule(schedule).value_or(world::ScheduleOptions{})});
  const Judgement j = judge(s, run);
  const json result = {{"result",
                        {{"judgement", judgement_to_json(j)},
                         {"duration_ms", run.duration_ms},
                         {"timeline", timeline_to_json(run.timeline)},
                         {"trace", run.trace()}}}};
  return write_to_parent(result.dump(-1, ' ', false, kReplace) + "\n") ? 0 : 3;
}

}  // namespace iocpsim::cli
