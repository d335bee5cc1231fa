// Playing one run of a scenario and judging it: in this process, or in a child process of its
// own (child_process.hpp) so that whatever the engine does to its process is that run's failure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/scenario/expect.hpp"
#include "iocpsim/scenario/scenario.hpp"
#include "iocpsim/scenario/timeline.hpp"

namespace iocpsim::cli {

// One run of one scenario, judged.
struct Played {
  const scenario::Scenario* scenario = nullptr;
  unsigned repetition = 0;
  std::uint64_t seed = 0;
  scenario::World world = scenario::World::real;
  std::string schedule;  // sim: the scheduling strategy as --schedule takes it ("" for the default)
  scenario::Judgement judgement;
  double duration_ms = 0;
  scenario::Timeline timeline;
  std::vector<std::string> trace;  // RunResult::trace(): kept only when asked for (keep_trace)
};

// A run whose process could neither finish it nor report it ends with one of these verdicts.
inline constexpr const char* kCrashVerdict = "crash";

// In this process, guarded by a watchdog that ends the whole program if the run never returns
// within limit_ms + grace_ms.
Played play_here(const scenario::Scenario& s, unsigned repetition, std::uint64_t seed, std::uint32_t grace_ms,
                 scenario::World world, const std::string& schedule, bool keep_trace);

// In a child process (`self` is this program); a crash, abort, sanitizer report or hang is
// reported as this run's failure with the signal or timeout, the last events and the output.
// Hung: not ended within limit_ms + grace_ms; its process is killed.
Played play_in_child(const std::string& self, const scenario::Scenario& s, unsigned repetition, std::uint64_t seed,
                     std::uint32_t grace_ms, scenario::World world, const std::string& schedule, bool keep_trace);

// The child's side: `iocpsim play-child FILE --seed N --world W`. Plays the run and reports it to the
// parent (child_process.hpp); the exit code is 0 when it could report, whatever the verdict.
int play_child_command(const std::string& file, std::uint64_t seed, scenario::World world, const std::string& schedule);

// --schedule: "random" or "random:P" (P the chance of a switch at a point, default 0.25), "pct" or
// "pct:D" (depth D, default 3). nullopt when malformed.
std::optional<world::ScheduleOptions> parse_schedule(const std::string& text);

}  // namespace iocpsim::cli
