// Reading a scenario file: everything is checked before anything runs, and every mistake is
// reported with the file, where (line:col for JSON syntax, else the JSON path), what was
// expected, what was found, and "did you mean" for a misspelt key or name.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/scenario/scenario.hpp"

namespace iocpsim::scenario {

class ScenarioError : public std::runtime_error {
 public:
  // what() is "<file>: <problem>" (or "<file>:<line>:<col>: <problem>" for JSON syntax).
  ScenarioError(std::string file, const std::string& problem, bool unsupported_here = false);
  // Several mistakes in one file, each "<json path>: <problem>"; what() is one line for each,
  // every line starting with the file.
  ScenarioError(std::string file, const std::vector<std::string>& problems);
  const std::string& file() const noexcept { return file_; }
  // One line per mistake, each naming the file ("<file>: <path>: <problem>").
  const std::vector<std::string>& lines() const noexcept { return lines_; }
  // The file is valid but needs something this platform or process lacks (device-sim's
  // UnsupportedHere): `iocpsim run` skips it with the reason instead of refusing the run.
  bool unsupported_here() const noexcept { return unsupported_here_; }

 private:
  std::string file_;
  std::vector<std::string> lines_;
  bool unsupported_here_ = false;
};

// At most this many mistakes of one file are reported; a last line says how many more there were.
inline constexpr std::size_t kMaxProblemsPerFile = 20;

// Throws ScenarioError. The file must be a regular file of at most 4 MiB, in UTF-8; its JSON is
// read strictly (no duplicate keys, numbers that fit, at most 64 levels deep).
Scenario load_scenario(const std::string& path);
// The same from text; `file` names it in messages.
Scenario parse_scenario(std::string_view text, const std::string& file);
Scenario parse_scenario_json(const nlohmann::json& document, const std::string& file);

// Every event name of host/engine/EVENTS.md.
const std::vector<std::string>& engine_event_names();

}  // namespace iocpsim::scenario
