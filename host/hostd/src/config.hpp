// hostd's configuration file: JSON, validated before anything runs. Every error names the file,
// the JSON path and what was expected.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "iocpsim/engine/engine.hpp"

namespace iocpsim::hostd {

struct Config {
  engine::EngineOptions engine;
  std::vector<engine::DeviceConfig> devices;
  std::string log_path;             // empty: the event log goes to stderr
  std::uint64_t log_max_bytes = 0;  // 0: log_path grows without limit; else it rotates at this size
  unsigned log_keep = 3;            // rotated files kept (log_path.1 ... log_path.<keep>)
};

struct ConfigResult {
  Config config;
  std::vector<std::string> errors;  // "hostd.json: devices[0].port: expected an integer from 1 to 65535, got 0"
  bool ok() const { return errors.empty(); }
};

ConfigResult parse_config(const std::string& text, const std::string& file_name);
ConfigResult load_config(const std::string& path);

}  // namespace iocpsim::hostd
