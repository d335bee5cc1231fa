#include "iocpsim/scenario/timeline.hpp"

#include <cstdio>

namespace iocpsim::scenario {

const char* to_string(TimelineEntry::Source s) noexcept {
  switch (s) {
    case TimelineEntry::Source::engine: return "engine";
    case TimelineEntry::Source::shim: return "shim";
    case TimelineEntry::Source::device: return "device";
    case TimelineEntry::Source::runner: return "runner";
  }
  return "?";
}

std::string Timeline::to_text(std::size_t max_lines) const {
  std::string out;
  std::size_t first = 0;
  if (entries.size() > max_lines) {
    first = entries.size() - max_lines;
    out += "  ... " + std::to_string(first) + " earlier entries left out\n";
  }
  for (std::size_t i = first; i < entries.size(); ++i) {
    const TimelineEntry& e = entries[i];
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%+10.3f ms", static_cast<double>(e.t_us) / 1000.0);
    char head[160];
    std::snprintf(head, sizeof head, "%s  %-12s %-7s %-22s ", stamp, e.device.empty() ? "-" : e.device.c_str(),
                  to_string(e.source), e.what.c_str());
    out += head;
    out += e.text;
    if (e.fault) out += "  <<< FAULT";
    out += '\n';
  }
  return out;
}

}  // namespace iocpsim::scenario
