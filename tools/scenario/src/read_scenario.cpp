// The scenario file's top level, host configuration, devices, faults, actions and run phase.
#include <algorithm>
#include <regex>
#include <set>

#include "iocpsim/engine/option_reader.hpp"
#include "iocpsim/iocp/fault_rules_json.hpp"
#include "iocpsim/scenario/load.hpp"
#include "load_detail.hpp"

namespace iocpsim::scenario::detail {
namespace {

using devsim::JsonReader;
using devsim::SpecError;
using nlohmann::json;

constexpr std::uint64_t kMaxMs = 3'600'000;

std::vector<std::string> read_strings(JsonReader& r, std::string_view key) {
  std::vector<std::string> out;
  if (!r.has(key)) return out;
  const json& v = r.raw(key);
  const bool ok = v.is_array() && std::all_of(v.begin(), v.end(), [](const json& x) { return x.is_string(); });
  if (!ok) throw SpecError(r.path_of(key), "expected an array of strings, got " + shortened(v));
  for (const auto& x : v) out.push_back(x.get<std::string>());
  return out;
}

template <class T>
void read_ms(JsonReader& r, std::string_view key, T& out, std::uint64_t min = 1, std::uint64_t max = kMaxMs) {
  if (!r.has(key)) return;
  const std::uint64_t v = r.get_uint(key, 0, max);
  if (v < min)
    throw SpecError(r.path_of(key), "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                                        ", got " + std::to_string(v));
  out = static_cast<T>(v);
}

void report_unknown_keys(const JsonReader& r, Problems& problems) {
  for (const SpecError& e : r.unknown_keys()) problems.add(e);
}

// host.engine, host.defaults and host.devices.<name> hold the engine's options, read as hostd reads them.
void read_engine_options(JsonReader r, engine::EngineOptions& o, Problems& problems) {
  engine::read_options(r, engine::engine_option_table(), o, problems);
  engine::check_engine_options(r, o, problems);
  report_unknown_keys(r, problems);
}

void read_device_config(JsonReader r, engine::DeviceConfig& c, const engine::EngineOptions& engine,
                        Problems& problems) {
  engine::read_options(r, engine::device_option_table(), c, problems);
  // heartbeat_timeout_ms below heartbeat_interval_ms is no contradiction: the timeout is how
  // long one heartbeat's answer may take, the interval how long the link may be quiet.
  engine::check_device_options(r, c, engine, problems);
  report_unknown_keys(r, problems);
}

void read_host(JsonReader r, Scenario& s, const Names& names, Problems& problems) {
  if (r.has("engine")) problems.attempt([&] { read_engine_options(r.object("engine"), s.engine, problems); });
  engine::DeviceConfig defaults;
  if (r.has("defaults"))
    problems.attempt([&] { read_device_config(r.object("defaults"), defaults, s.engine, problems); });
  for (auto& c : s.hosts) {
    const std::string name = c.name;
    c = defaults;
    c.name = name;
  }
  if (r.has("devices")) {
    problems.attempt([&] {
      JsonReader per_device = r.object("devices");
      for (const auto& [name, unused] : per_device.value().items()) {
        problems.attempt([&, &device = name] {
          names.require_device(device, per_device.path_of(device));
          // A device whose spec had a mistake has no host entry; its mistake is reported already.
          auto it = std::find_if(s.hosts.begin(), s.hosts.end(), [&](const auto& c) { return c.name == device; });
          if (it == s.hosts.end()) return;
          read_device_config(per_device.object(device), *it, s.engine, problems);
        });
      }
    });
  }
  problems.attempt([&] { r.finish(); });
}

// "a.b.c.d:port" with every part in range.
bool is_ipv4_endpoint(const std::string& text) {
  static const std::regex address(R"((\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d{1,5}))");
  std::smatch m;
  if (!std::regex_match(text, m, address)) return false;
  for (int i = 1; i <= 4; ++i) {
    if (std::stoul(m[i].str()) > 255) return false;
  }
  return std::stoul(m[5].str()) <= 65535;
}

void read_device(const json& list, std::size_t i, Scenario& s, std::set<std::string>& seen) {
  const std::string path = "devices[" + std::to_string(i) + "]";
  if (list[i].is_object() && !list[i].contains("name"))
    throw JsonReader(list[i], path).missing("name", "is required (a string)");
  devsim::DeviceSpec spec = devsim::parse_device_spec(list[i], path);
  if (!std::regex_match(spec.name, std::regex("[A-Za-z0-9_.-]+"))) {
    throw SpecError(path + ".name", "expected letters, digits, '-', '_' or '.', got \"" + spec.name + "\"");
  }
  if (spec.listen && !is_ipv4_endpoint(*spec.listen)) {
    throw SpecError(path + ".listen",
                    "expected an IPv4 address and port like \"127.0.0.1:0\", got \"" + *spec.listen + "\"");
  }
  if (!seen.insert(spec.name).second) {
    throw SpecError(path + ".name", "expected a unique device name, got \"" + spec.name + "\" a second time");
  }
  engine::DeviceConfig host;
  host.name = spec.name;
  s.hosts.push_back(host);
  s.devices.push_back(std::move(spec));
}

void read_devices(JsonReader& r, Scenario& s, Problems& problems) {
  const json& list = r.raw("devices");
  if (!list.is_array() || list.empty()) {
    throw SpecError("devices", "expected a non-empty array of device specs, got " + shortened(list));
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list.size(); ++i) problems.attempt([&] { read_device(list, i, s, seen); });
}

// The names the file gives its devices, read from the JSON itself so that a device whose spec
// has a mistake is still known to the checks that refer to it.
std::vector<std::string> device_names_in(const json& document) {
  std::vector<std::string> out;
  const auto it = document.find("devices");
  if (it == document.end() || !it->is_array()) return out;
  for (const json& d : *it) {
    if (!d.is_object() || !d.contains("name") || !d["name"].is_string()) continue;
    const std::string name = d["name"].get<std::string>();
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

void read_faults(JsonReader& r, Scenario& s, const Names& names) {
  if (!r.has("faults")) return;
  s.faults = iocp::parse_fault_rules(r.raw("faults"), "faults");
  for (std::size_t i = 0; i < s.faults.size(); ++i) {
    if (s.faults[i].when.tag) names.require_device(*s.faults[i].when.tag, "faults[" + std::to_string(i) + "].when.tag");
  }
}

Action read_action(JsonReader r, const Names& names) {
  Action a;
  a.path = r.path();
  const std::string kind = r.get_choice("do", "", {"command", "remove_device", "shutdown"});
  if (kind.empty()) throw SpecError(r.path_of("do"), "is required (\"command\", \"remove_device\" or \"shutdown\")");
  a.kind = kind == "command"    ? Action::Kind::command
           : kind == "shutdown" ? Action::Kind::shutdown
                                : Action::Kind::remove_device;
  if (r.has("at_ms")) a.at_ms = static_cast<std::uint32_t>(r.get_uint("at_ms", 0, kMaxMs));
  if (r.has("after")) a.after = read_event_count(r.object("after"), names);
  if (a.at_ms.has_value() == a.after.has_value()) {
    throw SpecError(r.path(), std::string("expected exactly one of \"at_ms\" and \"after\", got ") +
                                  (a.at_ms ? "both" : "neither"));
  }
  if (a.kind != Action::Kind::shutdown) {
    a.device = r.require_string("device");
    names.require_device(a.device, r.path_of("device"));
  }
  if (a.kind == Action::Kind::command) {
    a.opcode = static_cast<std::uint16_t>(r.require_uint("opcode", UINT16_MAX));
    a.data = r.get_hex("data");
    a.timeout_ms = static_cast<std::uint32_t>(r.get_uint("timeout_ms", 0, kMaxMs));
    read_ms(r, "count", a.count, 1, 10'000);
  }
  r.finish();
  return a;
}

void read_actions(JsonReader& r, Scenario& s, const Names& names, Problems& problems) {
  if (!r.has("actions")) return;
  const json& list = r.raw("actions");
  if (!list.is_array()) throw SpecError("actions", "expected an array of objects, got " + shortened(list));
  for (std::size_t i = 0; i < list.size(); ++i) {
    problems.attempt(
        [&] { s.actions.push_back(read_action(JsonReader(list[i], "actions[" + std::to_string(i) + "]"), names)); });
  }
}

void read_run(JsonReader r, RunPhase& run, const Names& names) {
  if (r.has("until")) {
    for (auto& u : r.objects("until")) run.until.push_back(read_event_count(std::move(u), names));
  }
  read_ms(r, "max_ms", run.max_ms);
  read_ms(r, "settle_ms", run.settle_ms, 0);
  run.until_required = r.get_bool("until_required", run.until_required);
  r.finish();
  if (r.value().contains("until_required") && run.until.empty()) {
    throw SpecError(r.path_of("until_required"), "is allowed only beside \"until\", which this run does not have");
  }
}

void read_identity(JsonReader& r, Scenario& s, Problems& problems) {
  r.skip("$schema");
  problems.attempt([&] {
    s.name = r.require_string("name");
    if (!std::regex_match(s.name, std::regex("[a-z0-9-]+"))) {
      throw SpecError("name", "expected lower-case letters, digits and '-', got \"" + s.name + "\"");
    }
  });
  problems.attempt([&] { s.description = r.require_string("description"); });
  problems.attempt([&] { s.tags = read_strings(r, "tags"); });
  problems.attempt([&] {
    s.references = read_strings(r, "references");
    for (std::size_t i = 0; i < s.references.size(); ++i) {
      const std::string& link = s.references[i];
      if (!link.starts_with("https://") || link.size() == 8 || link.find(' ') != std::string::npos) {
        throw SpecError("references[" + std::to_string(i) + "]",
                        "expected a link to a public report, https://…, got \"" + link + "\"");
      }
    }
  });
  problems.attempt([&] {
    if (!r.has("real_only")) return;
    s.real_only = r.require_string("real_only");
    if (s.real_only->empty())
      throw SpecError("real_only", "expected why the scenario cannot run in a simulated world, got \"\"");
  });
  problems.attempt([&] {
    s.tier = r.get_choice("tier", "", {"smoke", "regression", "soak"});
    if (s.tier.empty()) throw r.missing("tier", "is required (\"smoke\", \"regression\" or \"soak\")");
  });
  problems.attempt([&] {
    s.rows = read_strings(r, "rows");
    for (std::size_t i = 0; i < s.rows.size(); ++i) {
      if (!std::regex_match(s.rows[i], std::regex("R[0-9]+[a-z]?"))) {
        throw SpecError("rows[" + std::to_string(i) + "]",
                        "expected a row id of IOCP-SEMANTICS.md like \"R4\" or \"R16b\", got \"" + s.rows[i] + "\"");
      }
    }
  });
  problems.attempt([&] { s.seed = r.optional_uint("seed", UINT64_MAX); });
  problems.attempt([&] { read_ms(r, "limit_ms", s.limit_ms, 100); });
}

}  // namespace

void Names::require_device(const std::string& name, const std::string& path, bool engine_wide_ok) const {
  if (engine_wide_ok && name.empty()) return;
  if (std::find(devices.begin(), devices.end(), name) != devices.end()) return;
  throw SpecError(path, "expected the name of a device in \"devices\" (" + quoted_list(devices) + "), got \"" + name +
                            "\"" + did_you_mean(name, devices));
}

void Names::require_event(const std::string& name, const std::string& path) {
  const auto& known = engine_event_names();
  if (std::find(known.begin(), known.end(), name) != known.end()) return;
  throw SpecError(
      path, "expected an engine event name (host/engine/EVENTS.md), got \"" + name + "\"" + did_you_mean(name, known));
}

Scenario read_scenario(const json& document, Problems& problems) {
  Scenario s;
  if (!problems.attempt([&] { JsonReader(document, ""); })) return s;
  JsonReader r(document, "");
  read_identity(r, s, problems);
  problems.attempt([&] { read_devices(r, s, problems); });
  Names names{device_names_in(document)};
  if (r.has("host")) problems.attempt([&] { read_host(r.object("host"), s, names, problems); });
  problems.attempt([&] { read_faults(r, s, names); });
  problems.attempt([&] { read_actions(r, s, names, problems); });
  if (r.has("run")) problems.attempt([&] { read_run(r.object("run"), s.run, names); });
  problems.attempt([&] {
    if (!r.has("expect")) throw r.missing("expect", "is required (an object; {} checks only leaks and delivery)");
    s.expect = read_expectations(r.object("expect"), names, problems);
  });
  problems.attempt([&] { s.expected_verdict = r.get_choice("verdict", "pass", {"pass", "fail"}); });
  for (const SpecError& e : r.unknown_keys()) problems.add(e);
  return s;
}

}  // namespace iocpsim::scenario::detail
