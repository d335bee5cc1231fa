#include "config.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "iocpsim/json_diag/document.hpp"

#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::hostd {
namespace {

using nlohmann::json;

// Reads fields of one JSON object, recording every problem with its path.
class Reader {
 public:
  Reader(const json& obj, std::string path, std::string file, std::vector<std::string>& errors)
      : obj_(obj), path_(std::move(path)), file_(std::move(file)), errors_(errors) {}

  template <class T>
  void number(const char* key, T& out, double min, double max) {
    seen_.insert(key);
    if (!obj_.contains(key)) return;
    const json& v = obj_[key];
    if (!v.is_number() || v.get<double>() < min || v.get<double>() > max ||
        (std::numeric_limits<T>::is_integer && !v.is_number_integer())) {
      fail(key, "expected a number in " + range(min, max));
      return;
    }
    out = v.get<T>();
  }
  void boolean(const char* key, bool& out) {
    seen_.insert(key);
    if (!obj_.contains(key)) return;
    if (!obj_[key].is_boolean()) return fail(key, "expected true or false");
    out = obj_[key].get<bool>();
  }
  // R9b's setting: "never", "always", "if_honoured", or true/false for always/never.
  void completion_skip(const char* key, engine::CompletionSkip& out) {
    seen_.insert(key);
    if (!obj_.contains(key)) return;
    if (!engine::completion_skip_from_json(obj_[key], out)) {
      fail(key, std::string("expected ") + engine::kCompletionSkipForms);
    }
  }
  void string(const char* key, std::string& out, bool required = false) {
    seen_.insert(key);
    if (!obj_.contains(key)) {
      if (required) fail(key, "is required (a string)");
      return;
    }
    if (!obj_[key].is_string()) return fail(key, "expected a string");
    out = obj_[key].get<std::string>();
  }
  void required(const char* key) {
    if (!obj_.contains(key)) fail(key, "is required");
  }
  void mark(const char* key) { seen_.insert(key); }
  void reject_unknown() {
    for (auto it = obj_.begin(); it != obj_.end(); ++it) {
      if (!seen_.count(it.key())) fail(it.key().c_str(), "is not a known setting");
    }
  }
  void fail(const std::string& key, const std::string& what) {
    errors_.push_back(file_ + ": " + path_ + "/" + key + ": " + what);
  }

 private:
  static std::string range(double min, double max) {
    std::ostringstream s;
    s << static_cast<long long>(min) << ".." << static_cast<long long>(max);
    return s.str();
  }
  const json& obj_;
  std::string path_;
  std::string file_;
  std::vector<std::string>& errors_;
  std::set<std::string> seen_;
};

constexpr double kMaxMs = 24.0 * 3600 * 1000;

// Values that are each in range but do not work together: the run would never get them going.
void check_device(Reader& r, const json& j, const engine::DeviceConfig& d, std::size_t hello_bytes) {
  for (const engine::ConfigProblem& p : engine::device_config_problems(d)) {
    if (p.field == "name" && !j.contains("name")) continue;  // already reported as missing
    r.fail(p.field, p.what);
  }
  const auto at_least = [&](const char* key, std::uint64_t value, const char* other, std::uint64_t min) {
    if (value < min) r.fail(key, "must be at least " + std::string(other) + " (" + std::to_string(min) + "), got " + std::to_string(value));
  };
  at_least("heartbeat_timeout_ms", d.heartbeat_timeout_ms, "heartbeat_interval_ms", d.heartbeat_interval_ms);
  at_least("backoff_max_ms", d.backoff_max_ms, "backoff_initial_ms", d.backoff_initial_ms);
  at_least("heartbeat_interval_max_ms", d.heartbeat_interval_max_ms, "heartbeat_interval_min_ms",
           d.heartbeat_interval_min_ms);
  if (d.send_queue_max_bytes < hello_bytes) {
    r.fail("send_queue_bytes_max", "must hold the HELLO, " + std::to_string(hello_bytes) +
                                       " bytes with this host_id, got " + std::to_string(d.send_queue_max_bytes));
  }
}

// The HELLO carries host_id, and a frame has at most frame_max_bytes (PROTOCOL.md 2).
void check_host_id(Reader& r, const engine::EngineOptions& o, std::size_t hello_bytes) {
  const std::size_t overhead = hello_bytes - o.host_id.size();
  const std::size_t max = std::min<std::size_t>(65'535, o.frame_max_bytes - overhead);
  if (o.host_id.size() > max) {
    r.fail("host_id", std::to_string(o.host_id.size()) + " bytes is too long: the HELLO carrying it " +
                          "must fit in one frame, so at most " + std::to_string(max) + " bytes");
  }
}

// The run opens log_path for appending; a folder, or a file in a folder that does not exist,
// cannot be opened. Nothing is created here.
void check_log_path(Reader& r, const std::string& log_path) {
  if (log_path.empty()) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(log_path);
  if (fs::is_directory(p, ec)) return r.fail("log_path", "\"" + log_path + "\" is a folder; expected a file to append to");
  const fs::path folder = p.parent_path();
  if (!folder.empty() && !fs::is_directory(folder, ec)) {
    r.fail("log_path", "the folder \"" + folder.string() + "\" does not exist");
  }
}

engine::DeviceConfig read_device(const json& j, const std::string& path, const std::string& file,
                                 std::vector<std::string>& errors, std::size_t hello_bytes) {
  engine::DeviceConfig d;
  if (!j.is_object()) {
    errors.push_back(file + ": " + path + ": expected an object");
    return d;
  }
  Reader r(j, path, file, errors);
  r.string("name", d.name, true);
  r.string("host", d.host);
  r.required("port");
  r.number("port", d.port, 1, 65535);
  r.number("connect_timeout_ms", d.connect_timeout_ms, 1, kMaxMs);
  r.number("handshake_timeout_ms", d.handshake_timeout_ms, 1, kMaxMs);
  r.number("heartbeat_interval_ms", d.heartbeat_interval_ms, 1, kMaxMs);
  r.number("heartbeat_timeout_ms", d.heartbeat_timeout_ms, 1, kMaxMs);
  r.number("stall_timeout_ms", d.stall_timeout_ms, 1, kMaxMs);
  r.number("send_stall_timeout_ms", d.send_stall_timeout_ms, 0, kMaxMs);
  r.number("backoff_initial_ms", d.backoff_initial_ms, 1, kMaxMs);
  r.number("backoff_max_ms", d.backoff_max_ms, 1, kMaxMs);
  r.number("backoff_reset_after_ms", d.backoff_reset_after_ms, 0, kMaxMs);
  r.number("heartbeat_interval_min_ms", d.heartbeat_interval_min_ms, 1, kMaxMs);
  r.number("heartbeat_interval_max_ms", d.heartbeat_interval_max_ms, 1, kMaxMs);
  r.number("backoff_jitter", d.backoff_jitter, 0, 1);
  r.number("command_timeout_ms", d.command_timeout_ms, 1, kMaxMs);
  r.number("commands_in_flight_max", d.commands_in_flight_max, 1, 65536);
  r.number("send_queue_bytes_max", d.send_queue_max_bytes, 1024, 64.0 * 1024 * 1024);
  r.number("min_version", d.version_min, 1, 255);
  r.number("max_version", d.version_max, 1, 255);
  r.boolean("reconnect", d.reconnect);
  r.reject_unknown();
  if (d.version_min > d.version_max) r.fail("min_version", "must not exceed max_version");
  check_device(r, j, d, hello_bytes);
  return d;
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
    out.errors.push_back(file + ": the top level must be an object");
    return out;
  }
  Reader r(j, "", file, out.errors);
  Config& c = out.config;
  r.number("workers", c.engine.workers, 1, engine::EngineOptions::kWorkersMax);
  r.number("dequeue_batch", c.engine.dequeue_batch, 1, engine::EngineOptions::kDequeueBatchMax);
  r.completion_skip("skip_completion_port_on_success", c.engine.skip_completion_port_on_success);
  r.string("host_id", c.engine.host_id);
  r.number("shutdown_timeout_ms", c.engine.shutdown_timeout_ms, 1, kMaxMs);
  r.number("seed", c.engine.seed, 0, 9007199254740991.0);
  r.string("log_path", c.log_path);
  r.number("log_max_bytes", c.log_max_bytes, 0, 1099511627776.0);
  r.number("log_keep", c.log_keep, 0, 100);
  r.mark("devices");
  r.reject_unknown();
  const std::size_t hello_bytes = protocol::frame_size(protocol::Hello{1, 1, 0, c.engine.host_id});
  check_host_id(r, c.engine, hello_bytes);
  check_log_path(r, c.log_path);
  if (c.log_max_bytes != 0 && c.log_max_bytes < 4096) {
    r.fail("log_max_bytes", "expected 0 (no limit) or at least 4096, got " + std::to_string(c.log_max_bytes));
  }
  if (!j.contains("devices") || !j["devices"].is_array() || j["devices"].empty()) {
    out.errors.push_back(file + ": /devices: expected a non-empty array of devices");
    return out;
  }
  if (j["devices"].size() > c.engine.devices_max) {
    out.errors.push_back(file + ": /devices: " + std::to_string(j["devices"].size()) +
                         " devices, more than the engine takes (" +
                         std::to_string(c.engine.devices_max) + ")");
    return out;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < j["devices"].size(); ++i) {
    std::string path = "/devices/";
    path += std::to_string(i);
    c.devices.push_back(read_device(j["devices"][i], path, file, out.errors, hello_bytes));
    if (!c.devices.back().name.empty() && !names.insert(c.devices.back().name).second) {
      out.errors.push_back(file + ": " + path + "/name: \"" + c.devices.back().name +
                           "\" is used twice");
    }
  }
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
