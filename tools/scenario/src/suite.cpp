#include "iocpsim/scenario/suite.hpp"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <filesystem>
#include <regex>

#include "iocpsim/scenario/load.hpp"

namespace iocpsim::scenario {

namespace fs = std::filesystem;

namespace {

bool is_scenario_file_name(const fs::path& f) { return f.extension() == ".json" && f.filename() != "schema.json"; }

std::string reason(const std::error_code& ec) { return ec.message(); }

// Walks `dir` depth first without following links to directories; an entry that cannot be
// read is reported and the walk goes on with the rest.
void walk(const fs::path& dir, std::vector<std::string>& found, std::vector<std::string>& problems, int depth) {
  if (depth > 32) {
    problems.push_back(dir.generic_string() + ": directories nested deeper than 32 levels are not searched");
    return;
  }
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    problems.push_back(dir.generic_string() + ": cannot be read (" + reason(ec) + ")");
    return;
  }
  for (const fs::directory_iterator end; it != end; it.increment(ec)) {
    if (ec) break;
    const fs::path& f = it->path();
    std::error_code type_ec;
    const fs::file_status link = it->symlink_status(type_ec);
    if (!type_ec && fs::is_directory(link)) {
      walk(f, found, problems, depth + 1);
      continue;
    }
    if (!is_scenario_file_name(f)) continue;
    // A scenario file that is a link is followed; a link that leads nowhere is reported.
    const fs::file_status target = it->status(type_ec);
    if (type_ec) {
      problems.push_back(f.generic_string() + ": cannot be read (" + reason(type_ec) + ")");
    } else if (!fs::is_regular_file(target)) {
      problems.push_back(f.generic_string() + ": is not a regular file");
    } else {
      found.push_back(f.generic_string());
    }
  }
  if (ec) problems.push_back(dir.generic_string() + ": cannot be read to the end (" + reason(ec) + ")");
}

}  // namespace

std::vector<std::string> collect_scenario_files(const std::vector<std::string>& paths,
                                                std::vector<std::string>& problems) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      problems.push_back(p + ": no such file or directory");
    } else if (fs::is_directory(st)) {
      std::vector<std::string> found;
      walk(p, found, problems, 0);
      std::sort(found.begin(), found.end());
      if (found.empty()) problems.push_back(p + ": no scenario files (*.json but schema.json) found here");
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(p);  // load_scenario says what is wrong with a file that is not a regular one
    }
  }
  return out;
}

std::vector<std::string> collect_scenario_files(const std::vector<std::string>& paths) {
  std::vector<std::string> problems;
  std::vector<std::string> out = collect_scenario_files(paths, problems);
  if (!problems.empty()) {
    const std::string& first = problems.front();
    const std::size_t colon = first.find(": ");
    throw ScenarioError(first.substr(0, colon), first.substr(colon + 2));
  }
  return out;
}

namespace {

// TEXT found in `subject` as a substring, or as a regular expression (`whole`: matching it all).
bool text_matches(const std::string& subject, const std::string& text, const std::optional<std::regex>& re,
                  bool whole) {
  if (whole) return subject == text || (re && std::regex_match(subject, *re));
  return subject.find(text) != std::string::npos || (re && std::regex_search(subject, *re));
}

}  // namespace

bool matches_filter(const Scenario& s, const std::string& filter) {
  // FIELD:TEXT looks at one field; anything else (a ':' with no known field before it too) at the
  // name, the tags and the path.
  std::string field;
  std::string text = filter;
  if (const auto colon = filter.find(':'); colon != std::string::npos) {
    const std::string head = filter.substr(0, colon);
    if (head == "name" || head == "tag" || head == "tier" || head == "row" || head == "path") {
      field = head;
      text = filter.substr(colon + 1);
    }
  }
  std::optional<std::regex> re;
  try {
    re.emplace(text);
  } catch (const std::regex_error&) {
    // not a regular expression: a plain substring
  }
  std::vector<std::string> subjects;
  if (field.empty() || field == "tag") subjects.insert(subjects.end(), s.tags.begin(), s.tags.end());
  if (field.empty() || field == "name") subjects.push_back(s.name);
  if (field.empty() || field == "path") subjects.push_back(s.file);
  if (field == "tier" && !s.tier.empty()) subjects.push_back(s.tier);
  if (field == "row") subjects.insert(subjects.end(), s.rows.begin(), s.rows.end());
  // A tag, a tier or a row is a word: tag:reset is not tag:reset-storm.
  const bool whole = field == "tag" || field == "tier" || field == "row";
  return std::any_of(subjects.begin(), subjects.end(),
                     [&](const std::string& subject) { return text_matches(subject, text, re, whole); });
}

bool matches_filters(const Scenario& s, const std::vector<std::string>& filters) {
  return std::all_of(filters.begin(), filters.end(), [&](const std::string& f) { return matches_filter(s, f); });
}

std::string display_name(const Scenario& s) {
  const std::string area = fs::path(s.file).parent_path().filename().string();
  return area.empty() ? s.name : area + "/" + s.name;
}

std::string progress_line(std::size_t done, std::size_t total, std::size_t failed, double elapsed_s) {
  char line[160];
  const int n = std::snprintf(line, sizeof line, "[%zu/%zu] %zu failed, %.1f s", done, total, failed, elapsed_s);
  std::string out(line, static_cast<std::size_t>(std::max(n, 0)));
  if (done > 0 && done < total) {
    const double left = elapsed_s / static_cast<double>(done) * static_cast<double>(total - done);
    std::snprintf(line, sizeof line, ", about %.0f s left", left);
    out += line;
  }
  return out;
}

bool colour_wanted(bool is_terminal, const char* no_color, const char* term) {
  if (!is_terminal) return false;
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return term == nullptr || std::string_view(term) != "dumb";
}

}  // namespace iocpsim::scenario
