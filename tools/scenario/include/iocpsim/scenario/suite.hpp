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

// `filter` is TEXT: a substring of, or a regular expression found in, the name, a tag or the path;
// or FIELD:TEXT, looking at one field: name:TEXT and path:TEXT as above, tag:TEXT, tier:TEXT and
// row:TEXT matching a whole tag, the tier or a whole row id (as a string or a regex: row:R5.*).
bool matches_filter(const Scenario& scenario, const std::string& filter);
// Every one of `filters` matches (none given: every scenario does).
bool matches_filters(const Scenario& scenario, const std::vector<std::string>& filters);

// "<area>/<name>": the directory the file is in, and the scenario's name.
std::string display_name(const Scenario& scenario);

// The one-line progress of a suite on a terminal: "[12/86] 1 failed, 4.2 s, about 31 s left".
std::string progress_line(std::size_t done, std::size_t total, std::size_t failed, double elapsed_s);
// Whether results may be coloured: a terminal, NO_COLOR unset or empty (no-color.org), and a TERM
// that is not "dumb".
bool colour_wanted(bool is_terminal, const char* no_color, const char* term);

}  // namespace iocpsim::scenario
