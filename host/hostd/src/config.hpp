// hostd's configuration file: JSON, validated before anything runs. Every error names the file,
// the JSON path and what was expected.
#pragma once

#include <string>
#include <vector>

#include "iocpsim/engine/engine.hpp"

namespace iocpsim::hostd {

struct Config {
  engine::EngineOptions engine;
  std::vector<engine::DeviceConfig> devices;
  std::string log_path;  // empty: the event log goes to stderr
};

struct ConfigResult {
  Config config;
  std::vector<std::string> errors;  // "hostd.json: /devices/0/port: expected an integer in 1..65535"
  bool ok() const { return errors.empty(); }
};

ConfigResult parse_config(const std::string& text, const std::string& file_name);
ConfigResult load_config(const std::string& path);

}  // namespace iocpsim::hostd
