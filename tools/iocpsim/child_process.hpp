// One scenario run in a child process of its own, so that a crash, an abort, a sanitizer report
// or a hang of the engine under test ends that run only: the runner reports it as the run's
// failure, with the signal or the timeout and the last events, and goes on with the rest.
//
// The child is this program again (`iocpsim play-child FILE --seed N`), which plays the run and
// writes JSON lines to file descriptor 3: {"event": …} for every engine event as it happens, then
// one {"result": …} with the judgement and the timeline. Backends: child_process_posix.cpp
// (posix_spawn), child_process_none.cpp (platforms without it: the run stays in this process).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace iocpsim::cli {

struct ChildRequest {
  std::string file;
  std::uint64_t seed = 0;
  std::chrono::milliseconds deadline{0};  // killed when still running after this long
  std::string world = "real";             // real or sim
  std::string schedule;                   // sim: --schedule, "" for the default
};

struct ChildOutcome {
  std::optional<nlohmann::json> result;  // the child's {"result": …} object, if it wrote one
  std::deque<std::string> last_events;   // the last engine events it streamed, as JSON text
  std::string output_tail;               // the end of what it wrote to stdout and stderr
  bool killed_at_deadline = false;
  int exit_code = -1;       // when it exited
  int signal = 0;           // when a signal ended it
  std::string spawn_error;  // it could not be started
};

// False where runs cannot be isolated (they then stay in the calling process).
bool child_processes_supported();

// Starts `self` (this program's path) as a child for `request` and waits for it.
ChildOutcome run_child(const std::string& self, const ChildRequest& request);

// The path of this program, for run_child.
std::string self_path(const char* argv0);

// In the child: writes one line (with its newline) to kChildReportFd; false if it cannot.
bool write_to_parent(const std::string& line);

// "SIGSEGV (Segmentation fault)" and the like.
std::string signal_name(int signal);

// The file descriptor the child writes its JSON lines to.
inline constexpr int kChildReportFd = 3;
// How many streamed events a crash report keeps, and how much output.
inline constexpr std::size_t kChildLastEvents = 20;
inline constexpr std::size_t kChildOutputTailBytes = 8192;

}  // namespace iocpsim::cli
