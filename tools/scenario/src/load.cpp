#include "iocpsim/scenario/load.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "iocpsim/devsim/json_reader.hpp"
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

// "devices[0].script[2].bytes" -> the value there, or nullptr.
const json* value_at(const json& document, std::string_view path) {
  const json* at = &document;
  std::size_t i = 0;
  while (i < path.size() && at != nullptr) {
    if (path[i] == '.') ++i;
    if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string_view::npos || !at->is_array()) return nullptr;
      std::size_t index = 0;
      for (const char c : path.substr(i + 1, close - i - 1)) {
        if (c < '0' || c > '9' || index > at->size()) return nullptr;
        index = index * 10 + static_cast<std::size_t>(c - '0');
      }
      at = index < at->size() ? &(*at)[index] : nullptr;
      i = close + 1;
      continue;
    }
    const std::size_t end = std::min(path.find_first_of(".[", i), path.size());
    const std::string key(path.substr(i, end - i));
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    i = end;
  }
  return at;
}

std::string shortened(const json& value) { return json_diag::shortened_dump(value, 60); }

// A reader's message, with what the file actually holds at that path when it says "expected".
std::string with_got(const json& document, const std::string& path, const std::string& message) {
  if (message.find("expected") == std::string::npos || message.find(", got") != std::string::npos) {
    return message;
  }
  const json* found = path.empty() ? nullptr : value_at(document, path);
  return found == nullptr ? message : message + ", got " + shortened(*found);
}

void Problems::add(const SpecError& e) { add_line(with_got(document, e.path(), e.what())); }

void Problems::add(const iocp::FaultRuleError& e) {
  const std::string message = e.what();
  add_line(with_got(document, message.substr(0, message.find(':')), message));
}

void Problems::add_line(std::string line) {
  // One mistake per place: a misspelt key is named when its correct spelling is missed, and
  // again, with every known key by then, among the unknown keys; the later line says more.
  const std::string place = line.substr(0, line.find(": "));
  const auto seen = std::find_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.substr(0, l.find(": ")) == place; });
  if (seen != lines.end()) {
    *seen = std::move(line);
    return;
  }
  if (lines.size() < kMaxProblemsPerFile) {
    lines.push_back(std::move(line));
  } else {
    ++dropped;
  }
}

std::vector<std::string> Problems::report() const {
  std::vector<std::string> out = lines;
  if (dropped != 0) out.push_back("... and " + std::to_string(dropped) + " more mistakes (only the first " + std::to_string(kMaxProblemsPerFile) + " are shown)");
  return out;
}

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
  try {
    s = detail::read_scenario(document, problems);
  } catch (const std::exception& e) {
    // Every reader reports through `problems`; anything else is a bug, still not a crash.
    problems.add_line(std::string("cannot be read: ") + e.what());
  }
  if (!problems.lines.empty()) throw ScenarioError(file, problems.report());
  if (problems.unsupported) throw ScenarioError(file, *problems.unsupported, /*unsupported_here=*/true);
  s->file = file;
  return std::move(*s);
}

}  // namespace iocpsim::scenario
