#include "iocpsim/scenario/generated.hpp"

#include <stdexcept>

#include "iocpsim/devsim/step_registry.hpp"
#include "iocpsim/engine/event_catalogue.hpp"
#include "iocpsim/engine/option_table.hpp"
#include "iocpsim/iocp/fault_outcomes.hpp"
#include "iocpsim/scenario/invariants.hpp"
#include "iocpsim/scenario/schema.hpp"

namespace iocpsim::scenario {

const std::vector<GeneratedFile>& generated_files() {
  static const std::vector<GeneratedFile> all = {
      {"scenarios/schema.json", "", scenario_schema},
      {"device-sim/README.md", "step catalogue", [] { return devsim::StepRegistry::global().catalogue_markdown(); }},
      {"host/engine/EVENTS.md", "event tables", engine::event_catalogue_markdown},
      {"host/iocp/FAULTS.md", "outcomes per operation",
       [] { return iocp::outcome_markdown(iocp::OutcomeGroup::operation); }},
      {"host/iocp/FAULTS.md", "outcomes per port", [] { return iocp::outcome_markdown(iocp::OutcomeGroup::port); }},
      {"host/iocp/FAULTS.md", "outcomes per socket mode",
       [] { return iocp::outcome_markdown(iocp::OutcomeGroup::socket_mode); }},
      {"scenarios/README.md", "engine options", [] { return engine::option_markdown(engine::engine_option_table()); }},
      {"scenarios/README.md", "device options", [] { return engine::option_markdown(engine::device_option_table()); }},
      {"scenarios/README.md", "invariants", invariant_markdown},
      {"host/hostd/README.md", "engine options", [] { return engine::option_markdown(engine::engine_option_table()); }},
      {"host/hostd/README.md", "device options", [] { return engine::option_markdown(engine::device_option_table()); }},
  };
  return all;
}

std::string replace_region(const std::string& text, const std::string& name, const std::string& content) {
  const std::string begin = "<!-- generated: " + name + " (iocpsim generate) -->\n";
  const std::string end = "<!-- end generated: " + name + " -->\n";
  const auto b = text.find(begin);
  if (b == std::string::npos) throw std::runtime_error("no line \"" + begin.substr(0, begin.size() - 1) + "\"");
  const auto e = text.find(end, b + begin.size());
  if (e == std::string::npos)
    throw std::runtime_error("no line \"" + end.substr(0, end.size() - 1) + "\" after its start");
  const auto first = content.find_first_not_of('\n');
  const auto last = content.find_last_not_of('\n');
  const std::string body = first == std::string::npos ? "\n" : "\n" + content.substr(first, last - first + 1) + "\n\n";
  return text.substr(0, b + begin.size()) + body + text.substr(e);
}

}  // namespace iocpsim::scenario
