// A set of scenario files: finding them, choosing among them, and naming them in reports.
#pragma once

#include <string>
#include <vector>

#include "iocpsim/scenario/scenario.hpp"

namespace iocpsim::scenario {

// Files as given; directories searched recursively for *.json but schema.json, sorted. A path
// that does not exist, a directory with no scenario file, and an entry that cannot be read are
// each one line of `problems` ("<path>: <what>"), and the search goes on.
std::vector<std::string> collect_scenario_files(const std::vector<std::string>& paths,
                                                std::vector<std::string>& problems);
// The same; throws ScenarioError for the first problem.
std::vector<std::string> collect_scenario_files(const std::vector<std::string>& paths);

// `filter` is a substring of, or a regular expression found in, the name, a tag or the path.
bool matches_filter(const Scenario& scenario, const std::string& filter);

// "<area>/<name>": the directory the file is in, and the scenario's name.
std::string display_name(const Scenario& scenario);

}  // namespace iocpsim::scenario
