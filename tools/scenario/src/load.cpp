#include "iocpsim/scenario/load.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "iocpsim/devsim/json_reader.hpp"
#include "iocpsim/devsim/platform_limits.hpp"
#include "iocpsim/engine/event_catalogue.hpp"
#include "iocpsim/iocp/fault_rules_json.hpp"
#include "iocpsim/json_diag/document.hpp"
#include "load_detail.hpp"

namespace iocpsim::scenario {

using devsim::JsonReader;
using devsim::SpecError;
using nlohmann::json;

ScenarioError::ScenarioError(std::string file, const std::string& problem, bool unsupported_here)
    : std::runtime_error(file + ": " + problem),
      file_(std::move(file)),
      lines_{std::runtime_error::what()},
      unsupported_here_(unsupported_here) {}

namespace {

std::string joined_lines(const std::string& file, const std::vector<std::string>& problems) {
  std::string out;
  for (const std::string& p : problems) out += (out.empty() ? "" : "\n") + file + ": " + p;
  return out;
}

}  // namespace

ScenarioError::ScenarioError(std::string file, const std::vector<std::string>& problems)
    : std::runtime_error(joined_lines(file, problems)), file_(std::move(file)) {
  for (const std::string& p : problems) lines_.push_back(file_ + ": " + p);
}

const std::vector<std::string>& engine_event_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const engine::EventKind& k : engine::event_catalogue()) out.emplace_back(k.name);
    return out;
  }();
  return names;
}

namespace detail {

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "\"" : ", \"") + s + "\"";
  return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& known) {
  if (word.size() < 2) return "";  // any one letter is "near" every short name
  const auto hint = devsim::nearest_key(word, known);
  return hint ? " (did you mean \"" + *hint + "\"?)" : "";
}

std::string shortened(const json& value) { return json_diag::shortened_dump(value, 60); }

}  // namespace detail

namespace {

json read_json(std::string_view text, const std::string& file) {
  try {
    return json_diag::parse_document(text, file);
  } catch (const json_diag::DocumentError& e) {
    throw ScenarioError(e.where(), e.problem());
  }
}

}  // namespace

Scenario load_scenario(const std::string& path) {
  std::string text;
  try {
    text = json_diag::read_document_file(path);
  } catch (const json_diag::DocumentError& e) {
    throw ScenarioError(e.where(), e.problem());
  }
  return parse_scenario(text, path);
}

Scenario parse_scenario(std::string_view text, const std::string& file) {
  return parse_scenario_json(read_json(text, file), file);
}

Scenario parse_scenario_json(const json& document, const std::string& file) {
  detail::Problems problems{document};
  std::optional<Scenario> s;
  const devsim::RealWorldLimits limits;
  try {
    s = detail::read_scenario(document, problems);
  } catch (const std::exception& e) {
    // Every reader reports through `problems`; anything else is a bug, still not a crash.
    problems.add_line(std::string("cannot be read: ") + e.what());
  }
  if (!problems.empty()) throw ScenarioError(file, problems.report());
  if (problems.unsupported) throw ScenarioError(file, *problems.unsupported, /*unsupported_here=*/true);
  s->file = file;
  s->not_real_here = limits.first();
  return std::move(*s);
}

}  // namespace iocpsim::scenario
