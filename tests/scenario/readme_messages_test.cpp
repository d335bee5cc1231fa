// The authoring guide's list of messages (scenarios/README.md, "Mistakes in a file") is what the
// loader really prints: each quoted line is checked against the file of that name in
// tests/scenario/data/mistakes/, and every such file is quoted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "iocpsim/json_diag/document.hpp"
#include "iocpsim/scenario/load.hpp"

namespace iocpsim::scenario {
namespace {

namespace fs = std::filesystem;

// file name -> the lines the guide quotes for it, in order.
std::map<std::string, std::vector<std::string>> quoted_messages() {
  std::ifstream in(IOCPSIM_SCENARIOS_README);
  std::string line;
  while (std::getline(in, line) && line != "## Mistakes in a file") {
  }
  while (std::getline(in, line) && line != "```") {
  }
  std::map<std::string, std::vector<std::string>> out;
  while (std::getline(in, line) && line != "```") out[line.substr(0, line.find_first_of(":"))].push_back(line);
  return out;
}

// A quoted line as a pattern: "..." stands for anything, the rest is literal.
std::regex pattern_of(const std::string& quoted) {
  std::string re;
  for (std::size_t i = 0; i < quoted.size(); ++i) {
    if (quoted.compare(i, 3, "...") == 0) {
      re += ".*";
      i += 2;
      continue;
    }
    if (std::string("\\^$.|?*+()[]{}").find(quoted[i]) != std::string::npos) re += '\\';
    re += quoted[i];
  }
  return std::regex(re);
}

std::vector<std::string> messages_of(const fs::path& file) {
  const std::string name = file.filename().string();
  try {
    parse_scenario(json_diag::read_document_file(file.string()), name);
  } catch (const ScenarioError& e) {
    return e.lines();
  }
  return {name + ": (no error)"};
}

TEST(ReadmeMessages, EveryQuotedMessageIsWhatTheLoaderSays) {
  const auto quoted = quoted_messages();
  ASSERT_GE(quoted.size(), 20u) << "the list in scenarios/README.md was not found";
  for (const auto& [file, lines] : quoted) {
    const std::vector<std::string> got = messages_of(fs::path(IOCPSIM_MISTAKES_DIR) / file);
    ASSERT_EQ(got.size(), lines.size()) << file << ": " << (got.empty() ? "" : got.front());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      EXPECT_TRUE(std::regex_match(got[i], pattern_of(lines[i]))) << "README: " << lines[i] << "\nloader: " << got[i];
    }
  }
}

TEST(ReadmeMessages, EveryMistakeFileIsQuoted) {
  const auto quoted = quoted_messages();
  for (const auto& entry : fs::directory_iterator(IOCPSIM_MISTAKES_DIR)) {
    EXPECT_TRUE(quoted.count(entry.path().filename().string()))
        << entry.path() << " is not quoted in scenarios/README.md";
  }
}

}  // namespace
}  // namespace iocpsim::scenario
