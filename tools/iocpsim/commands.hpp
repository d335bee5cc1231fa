// The iocpsim subcommands. Each returns the process exit code: 0 all good, 1 a scenario
// failed, 2 invalid input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iocpsim::cli {

struct RunSettings {
  std::vector<std::string> paths;
  std::string junit;
  std::string filter;
  unsigned repeat = 1;
  unsigned jobs = 1;
  std::optional<std::uint64_t> seed;
  bool verbose = false;
  std::string timeline;
};

int run_command(const RunSettings& settings);
int validate_command(const std::vector<std::string>& paths);
int list_command(const std::vector<std::string>& paths, bool json);

}  // namespace iocpsim::cli
