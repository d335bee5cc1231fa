#include "iocpsim/scenario/suite.hpp"

#include <algorithm>
#include <filesystem>
#include <regex>

#include "iocpsim/scenario/load.hpp"

namespace iocpsim::scenario {

namespace fs = std::filesystem;

std::vector<std::string> collect_scenario_files(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::recursive_directory_iterator(p)) {
        const fs::path& f = entry.path();
        if (entry.is_regular_file() && f.extension() == ".json" && f.filename() != "schema.json") {
          found.push_back(f.generic_string());
        }
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      out.push_back(p);
    } else {
      throw ScenarioError(p, "no such file or directory");
    }
  }
  return out;
}

bool matches_filter(const Scenario& s, const std::string& filter) {
  std::vector<std::string> subjects = s.tags;
  subjects.push_back(s.name);
  subjects.push_back(s.file);
  std::optional<std::regex> re;
  try {
    re.emplace(filter);
  } catch (const std::regex_error&) {
    // not a regular expression: a plain substring
  }
  return std::any_of(subjects.begin(), subjects.end(), [&](const std::string& subject) {
    return subject.find(filter) != std::string::npos || (re && std::regex_search(subject, *re));
  });
}

std::string display_name(const Scenario& s) {
  const std::string area = fs::path(s.file).parent_path().filename().string();
  return area.empty() ? s.name : area + "/" + s.name;
}

}  // namespace iocpsim::scenario
