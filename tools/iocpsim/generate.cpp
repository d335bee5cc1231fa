// `iocpsim schema` and `iocpsim generate`: the files the vocabulary tables produce.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "iocpsim/scenario/generated.hpp"
#include "iocpsim/scenario/schema.hpp"

namespace iocpsim::cli {
namespace {

namespace fs = std::filesystem;

bool read_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

}  // namespace

int schema_command() {
  std::cout << scenario::scenario_schema();
  return 0;
}

int generate_command(const std::string& root, bool check) {
  if (!fs::is_regular_file(fs::path(root) / "scenarios" / "schema.json")) {
    std::cerr << "iocpsim generate: " << root
              << " is not the project's source root (no scenarios/schema.json); "
                 "run it there or give --root DIR\n";
    return 2;
  }
  int stale = 0;
  int broken = 0;
  for (const scenario::GeneratedFile& g : scenario::generated_files()) {
    const fs::path path = fs::path(root) / g.path;
    const std::string where = g.path + (g.region.empty() ? "" : " (" + g.region + ")");
    std::string current;
    if (!read_file(path, current) && !g.region.empty()) {
      std::cerr << "iocpsim generate: " << g.path << ": cannot read it\n";
      ++broken;
      continue;
    }
    std::string wanted;
    try {
      wanted = g.region.empty() ? g.render() : scenario::replace_region(current, g.region, g.render());
    } catch (const std::exception& e) {
      std::cerr << "iocpsim generate: " << g.path << ": " << e.what() << "\n";
      ++broken;
      continue;
    }
    if (wanted == current) continue;
    ++stale;
    if (check) {
      std::cerr << "iocpsim generate --check: " << where << " differs from what the tables produce\n";
      continue;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << wanted;
    if (!out.flush()) {
      std::cerr << "iocpsim generate: " << g.path << ": cannot write it\n";
      ++broken;
      continue;
    }
    std::cout << "wrote " << where << "\n";
  }
  if (broken > 0) return 2;
  if (check && stale > 0) {
    std::cerr << "run `iocpsim generate` in the source root and commit the result\n";
    return 1;
  }
  if (!check && stale == 0) std::cout << "every generated file is current\n";
  return 0;
}

}  // namespace iocpsim::cli
