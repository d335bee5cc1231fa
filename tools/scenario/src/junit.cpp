#include "iocpsim/scenario/junit.hpp"

#include <algorithm>
#include <cstdio>

namespace iocpsim::scenario {
namespace {

std::string seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", s);
  return text;
}

std::string attribute(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + xml_escape(value) + "\"";
}

std::string testcase(const JUnitCase& c) {
  std::string out = "    <testcase" + attribute("name", c.name) + attribute("classname", c.classname) +
                    attribute("file", c.file) + attribute("time", seconds(c.time_s)) + ">\n";
  if (c.status != JUnitCase::Status::passed) {
    const char* tag = c.status == JUnitCase::Status::failed ? "failure" : "error";
    out += std::string("      <") + tag + attribute("message", c.message) + attribute("type", tag) + ">" +
           xml_escape(c.details) + "</" + tag + ">\n";
  }
  out += "      <system-out>seed " + std::to_string(c.seed) + "</system-out>\n";
  out += "    </testcase>\n";
  return out;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no control characters but tab, newline and carriage return.
        out += (c < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') ? '?' : ch;
    }
  }
  return out;
}

std::string junit_xml(const std::vector<JUnitCase>& cases, double total_s) {
  const auto count = [&](JUnitCase::Status s) {
    return std::to_string(std::count_if(cases.begin(), cases.end(), [s](const JUnitCase& c) { return c.status == s; }));
  };
  const std::string totals = attribute("tests", std::to_string(cases.size())) +
                             attribute("failures", count(JUnitCase::Status::failed)) +
                             attribute("errors", count(JUnitCase::Status::error)) + attribute("time", seconds(total_s));
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + attribute("name", "iocpsim") + totals + ">\n";
  out += "  <testsuite" + attribute("name", "scenarios") + totals + ">\n";
  for (const JUnitCase& c : cases) out += testcase(c);
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace iocpsim::scenario
