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
#include "iocpsim/scenario/load.hpp"
#include "iocpsim/scenario/scenario.hpp"

namespace iocpsim::scenario::detail {

std::string quoted_list(const std::vector<std::string>& items);
std::string did_you_mean(std::string_view word, const std::vector<std::string>& known);
const nlohmann::json* value_at(const nlohmann::json& document, std::string_view path);
std::string shortened(const nlohmann::json& value);
std::string with_got(const nlohmann::json& document, const std::string& path, const std::string& message);

// The mistakes found in one file so far. Readers report each mistake here and go on with the
// next part of the file, so that one run of `validate` shows all of them.
struct Problems {
  const nlohmann::json& document;
  std::vector<std::string> lines;  // "<json path>: <problem>", the first kMaxProblemsPerFile
  std::size_t dropped = 0;
  std::optional<std::string> unsupported;  // a valid file this platform cannot play

  void add(const devsim::SpecError& e);
  void add(const iocp::FaultRuleError& e);
  void add_line(std::string line);
  std::vector<std::string> report() const;

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
    } catch (const iocp::FaultRuleError& e) {
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
