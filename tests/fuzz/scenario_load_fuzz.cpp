// libFuzzer target for the readers of hand-written JSON: the scenario loader (file text to a
// checked Scenario), device-sim's script reader (a device spec file) and hostd's config reader.
// Whatever the bytes, the only way out is a Scenario or a ScenarioError (SpecError /
// DocumentError for device-sim; a config or a list of errors for hostd) whose every line names
// the file: no other exception, no crash, no unbounded recursion or memory. Seeded with the
// scenario library, device-sim's examples and hostd's example config (tools/ci/fuzz.sh).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config.hpp"
#include "iocpsim/devsim/spec.hpp"
#include "iocpsim/json_diag/document.hpp"
#include "iocpsim/scenario/load.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

void load_as_scenario(std::string_view text) {
  try {
    const iocpsim::scenario::Scenario s = iocpsim::scenario::parse_scenario(text, "fuzz.json");
    require(!s.name.empty() && !s.devices.empty() && s.devices.size() == s.hosts.size());
  } catch (const iocpsim::scenario::ScenarioError& e) {
    require(!e.lines().empty());
    for (const std::string& line : e.lines()) require(line.rfind("fuzz.json", 0) == 0);
    require(e.lines().size() <= iocpsim::scenario::kMaxProblemsPerFile + 1);
  }
}

void load_as_device_specs(std::string_view text) {
  try {
    const nlohmann::json document = iocpsim::json_diag::parse_document(text, "fuzz.json");
    (void)iocpsim::devsim::parse_devices(document);
  } catch (const iocpsim::json_diag::DocumentError& e) {
    require(e.where().rfind("fuzz.json", 0) == 0);
  } catch (const iocpsim::devsim::SpecError&) {
  }
}

void load_as_hostd_config(std::string_view text) {
  const iocpsim::hostd::ConfigResult r = iocpsim::hostd::parse_config(std::string(text), "fuzz.json");
  for (const std::string& line : r.errors) require(line.rfind("fuzz.json", 0) == 0);
  if (r.ok()) require(!r.config.devices.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  load_as_scenario(text);
  load_as_device_specs(text);
  load_as_hostd_config(text);
  return 0;
}
