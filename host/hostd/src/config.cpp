#include "config.hpp"

#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

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

engine::DeviceConfig read_device(const json& j, const std::string& path, const std::string& file,
                                 std::vector<std::string>& errors) {
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
  r.number("send_queue_bytes_max", d.send_queue_bytes_max, 1024, 64.0 * 1024 * 1024);
  r.number("min_version", d.min_version, 1, 255);
  r.number("max_version", d.max_version, 1, 255);
  r.boolean("reconnect", d.reconnect);
  r.reject_unknown();
  if (d.min_version > d.max_version) r.fail("min_version", "must not exceed max_version");
  return d;
}

}  // namespace

ConfigResult parse_config(const std::string& text, const std::string& file) {
  ConfigResult out;
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    out.errors.push_back(file + ": " + e.what());
    return out;
  }
  if (!j.is_object()) {
    out.errors.push_back(file + ": the top level must be an object");
    return out;
  }
  Reader r(j, "", file, out.errors);
  Config& c = out.config;
  r.number("workers", c.engine.workers, 1, 256);
  r.number("dequeue_batch", c.engine.dequeue_batch, 1, 1024);
  r.completion_skip("skip_completion_port_on_success", c.engine.skip_completion_port_on_success);
  r.string("host_id", c.engine.host_id);
  r.number("shutdown_timeout_ms", c.engine.shutdown_timeout_ms, 1, kMaxMs);
  r.number("seed", c.engine.seed, 0, 9007199254740991.0);
  r.string("log_path", c.log_path);
  r.mark("devices");
  r.reject_unknown();
  if (!j.contains("devices") || !j["devices"].is_array() || j["devices"].empty()) {
    out.errors.push_back(file + ": /devices: expected a non-empty array of devices");
    return out;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < j["devices"].size(); ++i) {
    std::string path = "/devices/";
    path += std::to_string(i);
    c.devices.push_back(read_device(j["devices"][i], path, file, out.errors));
    if (!c.devices.back().name.empty() && !names.insert(c.devices.back().name).second) {
      out.errors.push_back(file + ": " + path + "/name: \"" + c.devices.back().name +
                           "\" is used twice");
    }
  }
  return out;
}

ConfigResult load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    ConfigResult out;
    out.errors.push_back(path + ": cannot be opened");
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace iocpsim::hostd
