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
  const std::string& file() const noexcept { return file_; }
  // The file is valid but needs something this platform or process lacks (device-sim's
  // UnsupportedHere): `iocpsim run` skips it with the reason instead of refusing the run.
  bool unsupported_here() const noexcept { return unsupported_here_; }

 private:
  std::string file_;
  bool unsupported_here_ = false;
};

// Throws ScenarioError.
Scenario load_scenario(const std::string& path);
// The same from text; `file` names it in messages.
Scenario parse_scenario(std::string_view text, const std::string& file);
Scenario parse_scenario_json(const nlohmann::json& document, const std::string& file);

// Every event name of host/engine/EVENTS.md.
const std::vector<std::string>& engine_event_names();

}  // namespace iocpsim::scenario
