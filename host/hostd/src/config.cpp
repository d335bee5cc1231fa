#include "config.hpp"

#include <filesystem>
#include <set>
#include <system_error>

#include <nlohmann/json.hpp>

#include "iocpsim/engine/option_reader.hpp"
#include "iocpsim/json_diag/document.hpp"
#include "iocpsim/json_diag/json_reader.hpp"
#include "iocpsim/json_diag/problems.hpp"

namespace iocpsim::hostd {
namespace {

using json_diag::JsonReader;
using json_diag::PathError;
using json_diag::Problems;
using nlohmann::json;

constexpr std::uint64_t kSeedMax = (std::uint64_t{1} << 53) - 1;  // a JSON number every reader keeps exact
constexpr std::uint64_t kLogMaxBytesMax = std::uint64_t{1} << 40;
constexpr std::uint64_t kLogMaxBytesMin = 4096;  // a few lines
constexpr unsigned kLogKeepMax = 100;

void report_unknown_keys(const JsonReader& r, Problems& problems) {
  for (const PathError& e : r.unknown_keys()) problems.add(e);
}

// The run opens log_path for appending; a folder, or a file in a folder that does not exist,
// cannot be opened. Nothing is created here.
void check_log_path(const std::string& log_path) {
  if (log_path.empty()) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(log_path);
  if (fs::is_directory(p, ec))
    throw PathError("log_path", "expected a file to append to, got the folder \"" + log_path + "\"");
  const fs::path folder = p.parent_path();
  if (!folder.empty() && !fs::is_directory(folder, ec)) {
    throw PathError("log_path", "expected a file in a folder that exists, got \"" + log_path + "\" (no folder \"" +
                                    folder.string() + "\")");
  }
}

// hostd's own keys beside the engine's options: the run's seed and the event log.
void read_service_keys(JsonReader& r, Config& c, Problems& problems) {
  problems.attempt([&] { c.engine.seed = r.get_uint("seed", c.engine.seed, kSeedMax); });
  problems.attempt([&] {
    c.log_path = r.get_string("log_path", c.log_path);
    check_log_path(c.log_path);
  });
  problems.attempt([&] {
    c.log_max_bytes = r.get_uint("log_max_bytes", c.log_max_bytes, kLogMaxBytesMax);
    if (c.log_max_bytes != 0 && c.log_max_bytes < kLogMaxBytesMin) {
      throw PathError("log_max_bytes", "expected 0 (no limit) or at least " + std::to_string(kLogMaxBytesMin) +
                                           ", got " + std::to_string(c.log_max_bytes));
    }
  });
  problems.attempt([&] { c.log_keep = static_cast<unsigned>(r.get_uint("log_keep", c.log_keep, kLogKeepMax)); });
}

// Where a device is: hostd's config gives it with each device.
void read_address(JsonReader& r, engine::DeviceConfig& d, Problems& problems) {
  problems.attempt([&] { d.name = r.require_string("name"); });
  problems.attempt([&] { d.host = r.get_string("host", d.host); });
  problems.attempt([&] {
    if (!r.has("port")) throw r.missing("port", "is required (an integer from 1 to 65535)");
    const json& port = r.raw("port");
    if (!port.is_number_unsigned() || port.get<std::uint64_t>() == 0 || port.get<std::uint64_t>() > 65535) {
      throw PathError(r.path_of("port"),
                      "expected an integer from 1 to 65535, got " + json_diag::shortened_dump(port, 60));
    }
    d.port = port.get<std::uint16_t>();
  });
}

// Values each in range that the run would refuse (add_device drops the device) or never get
// working, beyond what the engine's option reader checks.
void check_device(const JsonReader& r, const engine::DeviceConfig& d, Problems& problems) {
  for (const engine::ConfigProblem& p : engine::device_config_problems(d)) {
    if (p.field == "name" && !r.value().contains("name")) continue;  // already reported as missing
    problems.add(PathError(r.path_of(p.field), p.what));
  }
  // hostd refuses a heartbeat timeout shorter than the heartbeat interval; the scenario loader
  // does not, since a scenario may set one on purpose.
  if (d.heartbeat_timeout_ms < d.heartbeat_interval_ms) {
    const bool timeout_given = r.value().contains("heartbeat_timeout_ms");
    if (timeout_given || r.value().contains("heartbeat_interval_ms")) {
      problems.add(
          timeout_given
              ? PathError(r.path_of("heartbeat_timeout_ms"), "expected at least heartbeat_interval_ms (" +
                                                                 std::to_string(d.heartbeat_interval_ms) + "), got " +
                                                                 std::to_string(d.heartbeat_timeout_ms))
              : PathError(r.path_of("heartbeat_interval_ms"), "expected at most heartbeat_timeout_ms (" +
                                                                  std::to_string(d.heartbeat_timeout_ms) + "), got " +
                                                                  std::to_string(d.heartbeat_interval_ms)));
    }
  }
}

engine::DeviceConfig read_device(JsonReader r, const engine::EngineOptions& engine, Problems& problems) {
  engine::DeviceConfig d;
  read_address(r, d, problems);
  engine::read_options(r, engine::device_option_table(), d, problems);
  engine::check_device_options(r, d, engine, problems);
  check_device(r, d, problems);
  report_unknown_keys(r, problems);
  return d;
}

void read_devices(JsonReader& top, Config& c, Problems& problems) {
  if (!top.has("devices")) throw top.missing("devices", "is required (a non-empty array of devices)");
  const json& list = top.raw("devices");
  if (!list.is_array() || list.empty()) throw PathError("devices", "expected a non-empty array of devices");
  if (list.size() > c.engine.devices_max) {
    throw PathError("devices", "expected at most devices_max (" + std::to_string(c.engine.devices_max) +
                                   ") devices, got " + std::to_string(list.size()));
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "devices[" + std::to_string(i) + "]";
    problems.attempt([&] {
      c.devices.push_back(read_device(JsonReader(list[i], path), c.engine, problems));
      const std::string& name = c.devices.back().name;
      if (!name.empty() && !names.insert(name).second) {
        throw PathError(path + ".name", "expected a unique device name, got \"" + name + "\" a second time");
      }
    });
  }
}

}  // namespace

ConfigResult parse_config(const std::string& text, const std::string& file) {
  ConfigResult out;
  json j;
  try {
    // Strict: a syntax error, a duplicate key, nesting past 64 or a number past a double are each
    // reported at file:line:column.
    j = json_diag::parse_document(text, file);
  } catch (const json_diag::DocumentError& e) {
    out.errors.push_back(e.what());
    return out;
  }
  if (!j.is_object()) {
    out.errors.push_back(file + ": expected an object at the top level, got " + json_diag::shortened_dump(j, 60));
    return out;
  }
  Problems problems(j);
  problems.attempt([&] {
    JsonReader top(j, "");
    Config& c = out.config;
    engine::read_options(top, engine::engine_option_table(), c.engine, problems);
    engine::check_engine_options(top, c.engine, problems);
    read_service_keys(top, c, problems);
    top.skip("devices");
    report_unknown_keys(top, problems);
    read_devices(top, c, problems);
  });
  for (const std::string& line : problems.report()) out.errors.push_back(file + ": " + line);
  return out;
}

ConfigResult load_config(const std::string& path) {
  std::string text;
  try {
    text = json_diag::read_document_file(path);  // a regular file of at most 4 MiB
  } catch (const json_diag::DocumentError& e) {
    ConfigResult out;
    out.errors.push_back(e.what());
    return out;
  }
  return parse_config(text, path);
}

}  // namespace iocpsim::hostd
