// A device's spec: the `devices` entries of a scenario file, or a file of its own.
//
//   {"name": "dev-1", "listen": "127.0.0.1:0", "seed": 7,
//    "identity": {...}, "commands": [...], "telemetry": {...}, "script": [ {"step": ...}, ... ]}
//
// Parsing checks everything, including every step, and reports mistakes by JSON path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/devsim/json_reader.hpp"
#include "iocpsim/devsim/model.hpp"

namespace iocpsim::devsim {

struct DeviceSpec {
  std::string name = "device";
  std::optional<std::string> listen;  // "host:port"; port 0 picks a free port
  std::optional<std::uint64_t> seed;  // overrides the run's seed for this device
  ModelConfig model;
  nlohmann::json script = nlohmann::json::array();  // validated step objects
  std::string path;                                 // JSON path of the spec, e.g. devices[0]
};

DeviceSpec parse_device_spec(const nlohmann::json& value, const std::string& path);

// Accepts a scenario-like object {"devices": [...], ...other keys ignored}, an array of device
// specs, or a single device spec (an object with a "script" or "name" key).
std::vector<DeviceSpec> parse_devices(const nlohmann::json& document);

// Reads {opcode?, status, data, echo, delay_ms, reply} as used by "commands" and answer_next_command.
CommandBehaviour command_behaviour_from_json(JsonReader& reader);

}  // namespace iocpsim::devsim
