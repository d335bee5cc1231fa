// Private pieces of the scenario loader.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/devsim/json_reader.hpp"
#include "iocpsim/scenario/load.hpp"
#include "iocpsim/scenario/scenario.hpp"

namespace iocpsim::scenario::detail {

std::string quoted_list(const std::vector<std::string>& items);
std::string did_you_mean(std::string_view word, const std::vector<std::string>& known);
const nlohmann::json* value_at(const nlohmann::json& document, std::string_view path);
std::string shortened(const nlohmann::json& value);
std::string with_got(const nlohmann::json& document, const std::string& path, const std::string& message);
std::pair<std::size_t, std::size_t> line_col(std::string_view text, std::size_t byte);
std::string syntax_problem(const std::string& what);

// Throws devsim::SpecError or iocp::FaultRuleError; the caller adds the file name.
Scenario read_scenario(const nlohmann::json& document);

// What the cross-checks need to know while reading.
struct Names {
  std::vector<std::string> devices;
  void require_device(const std::string& name, const std::string& path, bool engine_wide_ok = false) const;
  static void require_event(const std::string& name, const std::string& path);
};

Matcher read_matcher(const nlohmann::json& value, const std::string& path);
EventMatcher read_event_matcher(devsim::JsonReader r, const Names& names);
EventCount read_event_count(devsim::JsonReader r, const Names& names);
Expectations read_expectations(devsim::JsonReader r, const Names& names);

}  // namespace iocpsim::scenario::detail
