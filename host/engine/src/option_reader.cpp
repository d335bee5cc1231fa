#include "iocpsim/engine/option_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "iocpsim/json_diag/document.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::engine {
namespace {

using json_diag::JsonReader;
using json_diag::PathError;
using nlohmann::json;

bool acceptable(const OptionSpec& spec, const json& v) {
  switch (spec.type) {
    case OptionType::integer:
    case OptionType::ms:
    case OptionType::bytes: {
      if (!v.is_number_integer()) return false;
      const double n = v.is_number_unsigned() ? static_cast<double>(v.get<std::uint64_t>())
                                              : static_cast<double>(v.get<std::int64_t>());
      return n >= spec.min && n <= spec.max;
    }
    case OptionType::number:
      return v.is_number() && !std::isnan(v.get<double>()) && v.get<double>() >= spec.min &&
             v.get<double>() <= spec.max;
    case OptionType::string:
      return v.is_string();
    case OptionType::boolean:
      return v.is_boolean();
    case OptionType::completion_skip: {
      CompletionSkip unused{};
      return completion_skip_from_json(v, unused);
    }
  }
  return false;
}

// The value `r`'s object gives `spec`, checked; nullptr when it gives none. Throws PathError.
const json* read_option(JsonReader& r, const OptionSpec& spec) {
  const std::string key = r.spelling(spec.name, spec.old_names);
  if (!r.has(key)) return nullptr;
  const json& v = r.raw(key);
  if (!acceptable(spec, v)) {
    throw PathError(r.path_of(key), "expected " + option_form(spec) + ", got " + json_diag::shortened_dump(v, 60));
  }
  return &v;
}

template <class Options>
const OptionSpec& spec_of(const OptionTable<Options>& table, std::string_view name) {
  for (const Option<Options>& o : table.options) {
    if (o.spec.name == name) return o.spec;
  }
  throw std::logic_error("no option " + std::string(name) + " in " + table.title);
}

// The key the file says `name` with (its name or an old one), for messages about a key it may
// not set here.
std::string key_said(const JsonReader& r, const OptionSpec& spec) {
  const std::string given = key_given(r, spec);
  return given.empty() ? spec.name : given;
}

// `lower` must not exceed `upper`: said at the one of them the object sets, the lower first.
void check_order(const JsonReader& r, const char* lower, std::uint64_t lower_value, const char* upper,
                 std::uint64_t upper_value, json_diag::Problems& problems) {
  if (lower_value <= upper_value) return;
  const OptionSpec& low = spec_of(device_option_table(), lower);
  const OptionSpec& high = spec_of(device_option_table(), upper);
  if (!key_given(r, low).empty()) {
    problems.add(PathError(r.path_of(key_given(r, low)), "expected at most " + key_said(r, high) + " (" +
                                                             std::to_string(upper_value) + "), got " +
                                                             std::to_string(lower_value)));
  } else if (!key_given(r, high).empty()) {
    problems.add(PathError(r.path_of(key_given(r, high)), "expected at least " + key_said(r, low) + " (" +
                                                              std::to_string(lower_value) + "), got " +
                                                              std::to_string(upper_value)));
  }
}

std::size_t hello_bytes(const std::string& host_id) { return protocol::frame_size(protocol::Hello{1, 1, 0, host_id}); }

}  // namespace

std::string key_given(const JsonReader& r, const OptionSpec& spec) {
  if (r.value().contains(spec.name)) return spec.name;
  for (const std::string& old : spec.old_names) {
    if (r.value().contains(old)) return old;
  }
  return "";
}

template <class Options>
void read_options(JsonReader& r, const OptionTable<Options>& table, Options& out, json_diag::Problems& problems) {
  for (const Option<Options>& o : table.options) {
    problems.attempt([&] {
      if (const json* v = read_option(r, o.spec)) o.store(out, *v);
    });
  }
}

template void read_options(JsonReader&, const OptionTable<EngineOptions>&, EngineOptions&, json_diag::Problems&);
template void read_options(JsonReader&, const OptionTable<DeviceConfig>&, DeviceConfig&, json_diag::Problems&);

void check_engine_options(const JsonReader& r, const EngineOptions& options, json_diag::Problems& problems) {
  const std::string key = key_given(r, spec_of(engine_option_table(), "host_id"));
  if (key.empty()) return;
  // A HELLO carries host_id as a string of at most 65535 bytes, and a frame has at most
  // frame_max_bytes (PROTOCOL.md 2).
  const std::size_t overhead = hello_bytes("");
  const std::size_t most =
      std::min<std::size_t>(65'535, options.frame_max_bytes > overhead ? options.frame_max_bytes - overhead : 0);
  if (options.host_id.size() <= most) return;
  problems.add(PathError(r.path_of(key), "expected at most " + std::to_string(most) +
                                             " bytes, so that the HELLO carrying it fits in one frame, got " +
                                             std::to_string(options.host_id.size()) + " bytes"));
}

void check_device_options(const JsonReader& r, const DeviceConfig& config, const EngineOptions& engine,
                          json_diag::Problems& problems) {
  check_order(r, "version_min", config.version_min, "version_max", config.version_max, problems);
  check_order(r, "backoff_initial_ms", config.backoff_initial_ms, "backoff_max_ms", config.backoff_max_ms, problems);
  check_order(r, "heartbeat_interval_min_ms", config.heartbeat_interval_min_ms, "heartbeat_interval_max_ms",
              config.heartbeat_interval_max_ms, problems);
  const std::string queue = key_given(r, spec_of(device_option_table(), "send_queue_max_bytes"));
  const std::size_t hello = hello_bytes(engine.host_id);
  if (!queue.empty() && config.send_queue_max_bytes < hello) {
    problems.add(PathError(r.path_of(queue), "expected at least " + std::to_string(hello) +
                                                 " bytes, the HELLO with this host_id, got " +
                                                 std::to_string(config.send_queue_max_bytes)));
  }
}

}  // namespace iocpsim::engine
