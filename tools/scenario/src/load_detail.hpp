// Private pieces of the scenario loader.
#pragma once

#include <string>
#include <string_view>
#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/devsim/json_reader.hpp"
#include "iocpsim/iocp/fault_rules_json.hpp"
#include "iocpsim/json_diag/problems.hpp"
#include "iocpsim/scenario/load.hpp"
#include "iocpsim/scenario/scenario.hpp"

namespace iocpsim::scenario::detail {

std::string quoted_list(const std::vector<std::string>& items);
std::string did_you_mean(std::string_view word, const std::vector<std::string>& known);
std::string shortened(const nlohmann::json& value);

// The mistakes found in one file so far (json_diag's list), and besides them a fault rule's
// mistake and the first thing a valid file asks that this platform cannot do.
struct Problems : json_diag::Problems {
  explicit Problems(const nlohmann::json& document) : json_diag::Problems(document, kMaxProblemsPerFile) {}

  std::optional<std::string> unsupported;  // a valid file this platform cannot play

  using json_diag::Problems::add;  // a fault rule's mistake (FaultRuleError) is a PathError too

  // Runs `read`; a mistake it throws is recorded. True when it ran through.
  template <class F>
  bool attempt(F&& read) {
    try {
      read();
      return true;
    } catch (const devsim::UnsupportedHere& e) {
      if (!unsupported) unsupported = e.what();
    } catch (const devsim::SpecError& e) {
      add(e);
    }
    return false;
  }
};

// Reports every mistake to `problems`; the result is meaningful only when there is none.
Scenario read_scenario(const nlohmann::json& document, Problems& problems);

// What the cross-checks need to know while reading.
struct Names {
  std::vector<std::string> devices;
  void require_device(const std::string& name, const std::string& path, bool engine_wide_ok = false) const;
  static void require_event(const std::string& name, const std::string& path);
};

Matcher read_matcher(const nlohmann::json& value, const std::string& path);
EventMatcher read_event_matcher(devsim::JsonReader r, const Names& names);
EventCount read_event_count(devsim::JsonReader r, const Names& names);
Expectations read_expectations(devsim::JsonReader r, const Names& names, Problems& problems);

}  // namespace iocpsim::scenario::detail
