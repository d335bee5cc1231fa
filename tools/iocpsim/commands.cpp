#include "commands.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>
#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

#include "iocpsim/scenario/expect.hpp"
#include "iocpsim/scenario/junit.hpp"
#include "iocpsim/scenario/load.hpp"
#include "iocpsim/scenario/runner.hpp"
#include "iocpsim/scenario/suite.hpp"
#include "iocpsim/program.hpp"
#include "iocpsim/scenario/timeline.hpp"
#include "play.hpp"

namespace iocpsim::cli {
namespace {

using namespace iocpsim::scenario;

constexpr std::size_t kFailureTimelineLines = 60;

// A file that could not be read as a scenario, with every mistake found in it.
struct Invalid {
  std::string file;
  std::vector<std::string> lines;  // each names the file
};

struct Loaded {
  std::vector<Scenario> scenarios;
  std::vector<Invalid> invalid;
  struct Skipped {
    std::string file;
    std::string why;  // the whole message, naming the file
  };
  std::vector<Skipped> skipped;  // one per valid file this platform cannot play
};

Loaded load_all(std::vector<std::string> paths) {
  if (paths.empty()) paths.push_back("scenarios");
  Loaded out;
  std::vector<std::string> problems;
  const std::vector<std::string> files = collect_scenario_files(paths, problems);
  for (const std::string& p : problems) out.invalid.push_back({p.substr(0, p.find(": ")), {p}});
  for (const std::string& f : files) {
    try {
      out.scenarios.push_back(load_scenario(f));
    } catch (const ScenarioError& e) {
      if (e.unsupported_here()) {
        out.skipped.push_back({f, e.what()});
      } else {
        out.invalid.push_back({f, e.lines()});
      }
    }
  }
  return out;
}

std::string case_name(const Played& p) {
  return p.repetition == 0 ? p.scenario->name : p.scenario->name + "#" + std::to_string(p.repetition + 1);
}

bool is_terminal(std::FILE* f) {
#ifdef _WIN32
  return _isatty(_fileno(f)) != 0;
#else
  return isatty(fileno(f)) != 0;
#endif
}

std::string report_line(const Played& p, bool verbose, bool colour) {
  const Judgement& j = p.judgement;
  const char* word = j.passed ? (colour ? "\x1b[32mPASS\x1b[0m" : "PASS") : (colour ? "\x1b[31mFAIL\x1b[0m" : "FAIL");
  char head[256];
  std::snprintf(head, sizeof head, "%s  %s  %.0f ms", word,
                (display_name(*p.scenario) + (p.repetition ? "#" + std::to_string(p.repetition + 1) : "")).c_str(),
                p.duration_ms);
  std::string out = head;
  if (j.passed) return out + (j.verdict == "pass" ? "" : " (failed as expected: " + j.first_failure + ")") + "\n";
  out += " (seed " + std::to_string(p.seed) + "): " + (j.verdict == "fail" ? j.first_failure : j.summary()) + "\n";
  if (verbose) {
    for (const std::string& u : j.unmet) out += "    unmet: " + u + "\n";
  } else if (j.verdict == kCrashVerdict || j.verdict == "timeout") {
    // A run that left no result: the last events and output are all there is to go on.
    for (std::size_t i = 1; i < j.unmet.size(); ++i) out += "    " + j.unmet[i] + "\n";
  }
  out += "    replay: iocpsim run " + p.scenario->file + " --seed " + std::to_string(p.seed) +
         (p.world == World::sim ? " --world sim" : "") + (p.schedule.empty() ? "" : " --schedule " + p.schedule) + "\n";
  return out + p.timeline.to_text(verbose ? SIZE_MAX : kFailureTimelineLines);
}

JUnitCase junit_case(const Played& p) {
  JUnitCase c;
  c.name = case_name(p);
  c.classname = "scenarios." + display_name(*p.scenario).substr(0, display_name(*p.scenario).rfind('/'));
  c.file = p.scenario->file;
  c.time_s = p.duration_ms / 1000.0;
  c.seed = p.seed;
  if (!p.judgement.passed) {
    c.status = p.judgement.verdict == kCrashVerdict ? JUnitCase::Status::error : JUnitCase::Status::failed;
    c.message = p.judgement.summary();
    for (const std::string& u : p.judgement.unmet) c.details += "unmet: " + u + "\n";
    c.details += "seed " + std::to_string(p.seed) + "\n" + p.timeline.to_text();
  }
  return c;
}

Played play(const Scenario& s, unsigned repetition, const RunSettings& settings) {
  const std::uint64_t seed = settings.seed.value_or(s.seed.value_or(kDefaultSeed)) + repetition;
  const bool keep_trace = settings.check_determinism || !settings.trace_out.empty();
  const auto once = [&] {
    if (settings.isolate) {
      return play_in_child(settings.self, s, repetition, seed, settings.hang_grace_ms, settings.world,
                           settings.schedule, keep_trace);
    }
    return play_here(s, repetition, seed, settings.hang_grace_ms, settings.world, settings.schedule, keep_trace);
  };
  Played first = once();
  if (!settings.check_determinism) return first;
  const Played second = once();
  const std::string difference = first_trace_difference(first.trace, second.trace);
  if (!difference.empty() || first.judgement.passed != second.judgement.passed) {
    const std::string what = "not deterministic: two runs with seed " + std::to_string(seed) + " differ at " +
                             (difference.empty() ? "their verdicts" : difference);
    first.judgement.passed = false;
    first.judgement.verdict = "nondeterministic";
    first.judgement.first_failure = what;
    first.judgement.unmet.insert(first.judgement.unmet.begin(), what);
  }
  return first;
}

// The runs a report needs, in run order, and how many ran and failed. A passed run is kept only
// when a report lists every run (--junit, --timeline, --trace-out): a long --repeat holds its
// failures, not a record per run.
struct PlayedAll {
  std::vector<Played> kept;
  std::size_t total = 0;
  std::size_t failed = 0;
};

PlayedAll play_all(const std::vector<const Scenario*>& chosen, const RunSettings& settings) {
  const bool keep_all = !settings.junit.empty() || !settings.timeline.empty() || !settings.trace_out.empty();
  const std::size_t total = chosen.size() * settings.repeat;
  std::vector<std::pair<std::size_t, Played>> kept;
  std::size_t failed = 0;
  std::atomic<std::size_t> next{0};
  std::mutex print;
  // On a terminal: a progress line on stderr, redrawn under each result; nothing when piped.
  const bool progress = is_terminal(stderr);
  const bool colour = colour_wanted(is_terminal(stdout), std::getenv("NO_COLOR"), std::getenv("TERM"));
  const auto start = std::chrono::steady_clock::now();
  std::size_t done = 0;
  std::size_t progress_width = 0;
  const auto clear_progress = [&] {
    if (progress_width > 0) std::cerr << '\r' << std::string(progress_width, ' ') << '\r' << std::flush;
    progress_width = 0;
  };
  auto worker = [&] {
    for (std::size_t i = next++; i < total; i = next++) {
      Played p = play(*chosen[i % chosen.size()], static_cast<unsigned>(i / chosen.size()), settings);
      std::lock_guard lock(print);
      clear_progress();
      std::cout << report_line(p, settings.verbose, colour) << std::flush;
      if (!p.judgement.passed) ++failed;
      ++done;
      if (progress && done < total) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const std::string line = progress_line(done, total, failed, elapsed);
        std::cerr << line << std::flush;
        progress_width = line.size();
      }
      if (p.judgement.passed && !keep_all) continue;
      // Only a failure's timeline is reported (unless --timeline asks for all).
      if (p.judgement.passed && settings.timeline.empty()) p.timeline = Timeline{};
      if (settings.trace_out.empty()) std::vector<std::string>().swap(p.trace);
      kept.emplace_back(i, std::move(p));
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < settings.jobs; ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  PlayedAll out{{}, total, failed};
  out.kept.reserve(kept.size());
  for (auto& [i, p] : kept) out.kept.push_back(std::move(p));
  return out;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (out.good()) return true;
  std::cerr << path << ": cannot be written\n";
  return false;
}

std::vector<JUnitCase> invalid_cases(const std::vector<Invalid>& invalid) {
  std::vector<JUnitCase> cases;
  for (const Invalid& e : invalid) {
    JUnitCase c;
    c.file = e.file;
    c.name = e.file;
    c.classname = "scenarios.invalid";
    c.status = JUnitCase::Status::error;
    c.message = e.lines.empty() ? e.file + ": invalid" : e.lines.front();
    for (const std::string& line : e.lines) c.details += line + "\n";
    cases.push_back(c);
  }
  return cases;
}

bool write_reports(const RunSettings& settings, const std::vector<Played>& played, const std::vector<Invalid>& invalid,
                   double total_s) {
  bool ok = true;
  if (!settings.trace_out.empty()) {
    std::string text;
    for (const Played& p : played) {
      const nlohmann::json head = {{"scenario", p.scenario->file},
                                   {"seed", p.seed},
                                   {"world", to_string(p.world)},
                                   {"repetition", p.repetition}};
      text += nlohmann::json{{"run", head}}.dump() + "\n";
      for (const std::string& line : p.trace) text += line + "\n";
    }
    ok = write_file(settings.trace_out, text) && ok;
  }
  if (!settings.junit.empty()) {
    std::vector<JUnitCase> cases = invalid_cases(invalid);
    for (const Played& p : played) cases.push_back(junit_case(p));
    ok = write_file(settings.junit, junit_xml(cases, total_s)) && ok;
  }
  if (!settings.timeline.empty()) {
    std::vector<Timeline> timelines;
    for (const Played& p : played) timelines.push_back(p.timeline);
    ok = write_file(settings.timeline, render_html(timelines)) && ok;
  }
  return ok;
}

}  // namespace

int run_command(const RunSettings& settings) {
  const auto start = std::chrono::steady_clock::now();
  const Loaded loaded = load_all(settings.paths);
  // A file that cannot be read is matched against the filter by its path alone.
  std::vector<Invalid> invalid;
  for (const Invalid& e : loaded.invalid) {
    Scenario by_path;
    by_path.file = e.file;
    if (matches_filters(by_path, settings.filters)) invalid.push_back(e);
  }
  for (const Invalid& e : invalid) {
    for (const std::string& line : e.lines) std::cerr << line << "\n";
    std::cout << "INVALID  " << e.file << "\n";
  }
  if (!invalid.empty() && settings.stop_on_invalid) {
    std::cout << "scenarios: 0 passed, 0 failed, " << invalid.size() << " invalid: nothing ran (--stop-on-invalid)\n";
    if (!settings.junit.empty()) write_file(settings.junit, junit_xml(invalid_cases(invalid), 0));
    return 2;
  }
  // A file that cannot be played here is not loaded in full: a filter sees its path only.
  std::size_t skipped = 0;
  for (const Loaded::Skipped& s : loaded.skipped) {
    Scenario by_path;
    by_path.file = s.file;
    if (!matches_filters(by_path, settings.filters)) continue;
    std::cout << "SKIP  " << s.why << "\n";
    ++skipped;
  }
  std::vector<const Scenario*> chosen;
  for (const Scenario& s : loaded.scenarios) {
    if (!matches_filters(s, settings.filters)) continue;
    if (settings.world == World::sim && s.real_only) {
      std::cout << "SKIP  " << s.file << ": real world only: " << *s.real_only << "\n";
      ++skipped;
      continue;
    }
    if (settings.world == World::real && s.not_real_here) {
      std::cout << "SKIP  " << s.file << ": " << *s.not_real_here << " (the simulated world plays it: --world sim)\n";
      ++skipped;
      continue;
    }
    chosen.push_back(&s);
  }
  const PlayedAll all = chosen.empty() ? PlayedAll{} : play_all(chosen, settings);
  const std::vector<Played>& played = all.kept;
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::size_t failed = all.failed;
  char summary[200];
  std::snprintf(summary, sizeof summary, "scenarios: %zu passed, %zu failed, %zu invalid in %.1f s%s\n",
                all.total - failed, failed, invalid.size(), total_s,
                skipped == 0 ? "" : ("; " + std::to_string(skipped) + " skipped: not supported here").c_str());
  std::cout << summary;
  const bool reports_ok = write_reports(settings, played, invalid, total_s);
  // Scenarios that match but cannot be played here are not a failure; a filter that matches
  // nothing at all is.
  const bool something_to_do = !chosen.empty() || skipped != 0 || !invalid.empty();
  if (!invalid.empty()) return program::kBadInput;
  if (!something_to_do) {
    std::cerr << "no scenario matched\n";
    return program::kNothingMatched;
  }
  if (!reports_ok) return program::kEnvironment;
  return failed == 0 ? program::kOk : program::kFailed;
}

int play_child(const std::string& file, std::uint64_t seed, World world, const std::string& schedule) {
  return play_child_command(file, seed, world, schedule);
}

int validate_command(const std::vector<std::string>& paths) {
  const Loaded loaded = load_all(paths);
  for (const Scenario& s : loaded.scenarios) std::cout << "ok " << s.file << "\n";
  for (const Loaded::Skipped& s : loaded.skipped) std::cout << "ok, but not playable here: " << s.why << "\n";
  for (const Invalid& e : loaded.invalid) {
    for (const std::string& line : e.lines) std::cout << line << "\n";
  }
  return loaded.invalid.empty() ? 0 : 2;
}

int list_command(const std::vector<std::string>& paths, const std::vector<std::string>& filters, bool as_json) {
  const Loaded loaded = load_all(paths);
  for (const Invalid& e : loaded.invalid) {
    for (const std::string& line : e.lines) std::cerr << line << "\n";
  }
  for (const Loaded::Skipped& s : loaded.skipped) std::cerr << "not playable here: " << s.why << "\n";
  nlohmann::json all = nlohmann::json::array();
  for (const Scenario& s : loaded.scenarios) {
    if (!matches_filters(s, filters)) continue;
    all.push_back({{"name", s.name},
                   {"file", s.file},
                   {"tier", s.tier},
                   {"tags", s.tags},
                   {"rows", s.rows},
                   {"references", s.references},
                   {"description", s.description}});
    if (as_json) continue;
    std::string tags;
    for (const auto& t : s.tags) tags += (tags.empty() ? "" : ",") + t;
    std::string rows;
    for (const auto& r : s.rows) rows += (rows.empty() ? "" : ",") + r;
    std::printf("%-36s %-10s %-28s %-12s %s\n", display_name(s).c_str(), s.tier.c_str(), tags.c_str(), rows.c_str(),
                s.description.c_str());
  }
  if (as_json) std::cout << all.dump(2) << "\n";
  if (!loaded.invalid.empty()) return program::kBadInput;
  if (all.empty() && !filters.empty()) {
    std::cerr << "no scenario matched\n";
    return program::kNothingMatched;
  }
  return program::kOk;
}

}  // namespace iocpsim::cli
