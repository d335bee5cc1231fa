// The JUnit XML report of a scenario run: one testcase per scenario run, its seed, and on
// failure the first unmet expectation as the message with every unmet one and the timeline.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iocpsim::scenario {

struct JUnitCase {
  std::string name;       // the scenario's name (with "#2" for the second repetition ...)
  std::string classname;  // "scenarios.<area>"
  std::string file;
  double time_s = 0;
  std::uint64_t seed = 0;
  enum class Status : std::uint8_t { passed, failed, error } status = Status::passed;
  std::string message;  // the first unmet expectation, or the validation error
  std::string details;  // every unmet expectation and the timeline
};

// Escapes &, <, >, " and ' and replaces characters XML 1.0 cannot carry.
std::string xml_escape(std::string_view text);

std::string junit_xml(const std::vector<JUnitCase>& cases, double total_s);

}  // namespace iocpsim::scenario
