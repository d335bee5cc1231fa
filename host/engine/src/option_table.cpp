#include "iocpsim/engine/option_table.hpp"

#include <cstdint>
#include <type_traits>

#include "iocpsim/protocol/frame.hpp"

namespace iocpsim::engine {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr double kMsMax = 24.0 * 3600 * 1000;  // a day: no timeout or delay of a host is longer
constexpr double kMiB = 1024.0 * 1024;

// An option whose value is `member`, written in a file as JSON writes the member's type (R9b's
// choice by its name).
template <class O, class T>
Option<O> option(OptionSpec spec, T O::*member) {
  Option<O> o{std::move(spec)};
  if constexpr (std::is_same_v<T, CompletionSkip>) {
    o.store = [member](O& out, const json& v) { completion_skip_from_json(v, out.*member); };
    o.value = [member](const O& in) { return json(to_string(in.*member)); };
  } else {
    o.store = [member](O& out, const json& v) { out.*member = v.get<T>(); };
    o.value = [member](const O& in) { return json(in.*member); };
  }
  o.spec.default_value = o.value(O{});
  return o;
}

template <class O, class T>
Option<O> ranged(std::string name, T O::*member, OptionType type, double min, double max, std::string meaning,
                 std::vector<std::string> old_names = {}) {
  return option(OptionSpec{std::move(name), std::move(old_names), type, min, max, {}, std::move(meaning)}, member);
}

template <class O, class T>
Option<O> plain(std::string name, T O::*member, OptionType type, std::string meaning) {
  return option(OptionSpec{std::move(name), {}, type, 0, 0, {}, std::move(meaning)}, member);
}

using E = EngineOptions;
using D = DeviceConfig;
using Ty = OptionType;

OptionTable<EngineOptions> make_engine_table() {
  return {"EngineOptions",
          "engine EngineOptions (host/engine/include/iocpsim/engine/engine.hpp)",
          {
              ranged("workers", &E::workers, Ty::integer, 1, E::kWorkersMax, "worker threads on the port"),
              ranged("dequeue_batch", &E::dequeue_batch, Ty::integer, 1, E::kDequeueBatchMax,
                     "entries per GetQueuedCompletionStatusEx"),
              plain("skip_completion_port_on_success", &E::skip_completion_port_on_success, Ty::completion_skip,
                    "R9b: never, always, or if_honoured (start-up tries it on a loopback pair and sets it only "
                    "if an at-once success queues no packet); true/false mean always/never"),
              plain("host_id", &E::host_id, Ty::string, "the host's name in its HELLO (which must fit in one frame)"),
              ranged("shutdown_timeout_ms", &E::shutdown_timeout_ms, Ty::ms, 1, kMsMax,
                     "after BYE, how long a device may take to close before its ops are cancelled"),
              ranged("drain_ceiling_ms", &E::drain_ceiling_ms, Ty::ms, 1, kMsMax,
                     "real-time safety valve of the final drain"),
              ranged("frame_max_bytes", &E::frame_max_bytes, Ty::bytes, protocol::kFrameMaxBytesMin, 16 * kMiB,
                     "a frame claiming more is a protocol error", {"max_frame_bytes"}),
              ranged("receive_buffer_bytes", &E::receive_buffer_bytes, Ty::bytes, 16, 16 * kMiB, "bytes per receive"),
              ranged("event_burst_max", &E::event_burst_max, Ty::integer, 1, 1'000'000,
                     "a device's once-per-frame events (send_queue_full, unexpected_message, ...) written per "
                     "name and window; the rest are counted in one events_suppressed"),
              ranged("event_window_ms", &E::event_window_ms, Ty::ms, 1, kMsMax, "the window of event_burst_max"),
              ranged("devices_max", &E::devices_max, Ty::integer, 1, 1'000'000,
                     "add_device() refuses more devices than this"),
          }};
}

OptionTable<DeviceConfig> make_device_table() {
  return {"DeviceConfig",
          "engine DeviceConfig fields (host/engine/include/iocpsim/engine/engine.hpp)",
          {
              ranged("connect_timeout_ms", &D::connect_timeout_ms, Ty::ms, 1, kMsMax,
                     "no connect completion within this: cancel and reconnect"),
              ranged("handshake_timeout_ms", &D::handshake_timeout_ms, Ty::ms, 1, kMsMax,
                     "no HELLO_ACK within this: close and reconnect"),
              ranged("heartbeat_interval_ms", &D::heartbeat_interval_ms, Ty::ms, 1, kMsMax,
                     "send a HEARTBEAT after this long without sending"),
              ranged("heartbeat_timeout_ms", &D::heartbeat_timeout_ms, Ty::ms, 1, kMsMax,
                     "the device must answer a HEARTBEAT within this"),
              ranged("heartbeat_interval_min_ms", &D::heartbeat_interval_min_ms, Ty::ms, 1, kMsMax,
                     "the shortest heartbeat interval a device's HELLO_ACK may ask for"),
              ranged("heartbeat_interval_max_ms", &D::heartbeat_interval_max_ms, Ty::ms, 1, kMsMax,
                     "the longest heartbeat interval a device's HELLO_ACK may ask for"),
              ranged("stall_timeout_ms", &D::stall_timeout_ms, Ty::ms, 1, kMsMax,
                     "no byte received for this long is a stall"),
              ranged("send_stall_timeout_ms", &D::send_stall_timeout_ms, Ty::ms, 0, kMsMax,
                     "bytes waiting to go out and none taken by the device for this long: peer_not_reading "
                     "(0: never)"),
              ranged("backoff_initial_ms", &D::backoff_initial_ms, Ty::ms, 1, kMsMax,
                     "first reconnect delay (doubles per attempt)"),
              ranged("backoff_max_ms", &D::backoff_max_ms, Ty::ms, 1, kMsMax, "reconnect delay cap"),
              ranged("backoff_reset_after_ms", &D::backoff_reset_after_ms, Ty::ms, 0, kMsMax,
                     "a session resets the backoff only if it lived this long past its handshake (0: every "
                     "handshake does)"),
              ranged("backoff_jitter", &D::backoff_jitter, Ty::number, 0, 1,
                     "+/- fraction of the delay, from the seed; 0 makes delays exact"),
              ranged("command_timeout_ms", &D::command_timeout_ms, Ty::ms, 1, kMsMax, "default timeout of a command"),
              ranged("commands_in_flight_max", &D::commands_in_flight_max, Ty::integer, 1, 65'536,
                     "more commands at once are rejected"),
              ranged("send_queue_max_bytes", &D::send_queue_max_bytes, Ty::bytes, 64, 64 * kMiB,
                     "a frame that does not fit is refused (send_queue_full)", {"send_queue_bytes_max"}),
              ranged("version_min", &D::version_min, Ty::integer, 1, 255,
                     "the lowest protocol version offered in HELLO", {"min_version"}),
              ranged("version_max", &D::version_max, Ty::integer, 1, 255,
                     "the highest protocol version offered in HELLO", {"max_version"}),
              ranged("capabilities", &D::capabilities, Ty::integer, 0, UINT32_MAX, "capabilities offered in HELLO"),
              plain("reconnect", &D::reconnect, Ty::boolean, "false: a failed device stays down"),
          }};
}

bool is_whole(OptionType t) { return t == Ty::integer || t == Ty::ms || t == Ty::bytes; }

json bound(const OptionSpec& spec, double value) {
  if (is_whole(spec.type)) return static_cast<std::uint64_t>(value);
  return value;
}

ordered_json property(const OptionSpec& spec) {
  ordered_json p = ordered_json::object();
  switch (spec.type) {
    case Ty::integer:
    case Ty::ms:
    case Ty::bytes:
    case Ty::number:
      p["type"] = is_whole(spec.type) ? "integer" : "number";
      p["minimum"] = bound(spec, spec.min);
      p["maximum"] = bound(spec, spec.max);
      break;
    case Ty::string:
    case Ty::boolean:
      p["type"] = to_string(spec.type);
      break;
    case Ty::completion_skip:
      p["oneOf"] = {{{"enum",
                      {to_string(CompletionSkip::never), to_string(CompletionSkip::always),
                       to_string(CompletionSkip::if_honoured)}}},
                    {{"type", "boolean"}}};
      break;
  }
  p["description"] = spec.meaning;
  p["default"] = spec.default_value;
  return p;
}

// 16777216 bytes -> "16 MiB", 86400000 ms -> "24 h": a range's ends as people say them.
std::string spoken(const OptionSpec& spec, double value) {
  const auto whole = static_cast<std::uint64_t>(value);
  if (spec.type == Ty::bytes && whole >= 1024 && whole % (1024 * 1024) == 0)
    return std::to_string(whole >> 20) + " MiB";
  if (spec.type == Ty::bytes && whole >= 1024 && whole % 1024 == 0) return std::to_string(whole >> 10) + " KiB";
  if (spec.type == Ty::ms && whole >= 3'600'000 && whole % 3'600'000 == 0)
    return std::to_string(whole / 3'600'000) + " h";
  return bound(spec, value).dump();
}

std::string range_cell(const OptionSpec& spec) {
  if (spec.type == Ty::completion_skip) return "`\"never\"`, `\"always\"`, `\"if_honoured\"`, `true`, `false`";
  if (!spec.has_range()) return "—";
  return spoken(spec, spec.min) + " … " + spoken(spec, spec.max);
}

}  // namespace

const char* to_string(OptionType t) noexcept {
  switch (t) {
    case Ty::integer:
      return "integer";
    case Ty::ms:
      return "ms";
    case Ty::bytes:
      return "bytes";
    case Ty::number:
      return "number";
    case Ty::string:
      return "string";
    case Ty::boolean:
      return "boolean";
    case Ty::completion_skip:
      return "choice";
  }
  return "?";
}

bool OptionSpec::has_range() const noexcept { return is_whole(type) || type == Ty::number; }

const OptionTable<EngineOptions>& engine_option_table() {
  static const OptionTable<EngineOptions> table = make_engine_table();
  return table;
}

const OptionTable<DeviceConfig>& device_option_table() {
  static const OptionTable<DeviceConfig> table = make_device_table();
  return table;
}

std::string option_form(const OptionSpec& spec) {
  switch (spec.type) {
    case Ty::integer:
    case Ty::ms:
    case Ty::bytes:
      return "an integer from " + bound(spec, spec.min).dump() + " to " + bound(spec, spec.max).dump();
    case Ty::number:
      return "a number from " + json(spec.min).dump() + " to " + json(spec.max).dump();
    case Ty::string:
      return "a string";
    case Ty::boolean:
      return "true or false";
    case Ty::completion_skip:
      return kCompletionSkipForms;
  }
  return "?";
}

template <class Options>
ordered_json option_schema(const OptionTable<Options>& table) {
  ordered_json properties = ordered_json::object();
  for (const Option<Options>& o : table.options) {
    properties[o.spec.name] = property(o.spec);
    for (const std::string& old : o.spec.old_names) {
      ordered_json p = property(o.spec);
      p["description"] = "the old name of " + o.spec.name;
      p["deprecated"] = true;
      properties[old] = std::move(p);
    }
  }
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"additionalProperties", false},
          {"description", table.description}};
}

template <class Options>
std::string option_markdown(const OptionTable<Options>& table) {
  std::string out = "| key | type | range | default | meaning |\n|---|---|---|---|---|\n";
  for (const Option<Options>& o : table.options) {
    std::string key = "`" + o.spec.name + "`";
    for (const std::string& old : o.spec.old_names) key += " (old name: `" + old + "`)";
    out += "| " + key + " | " + to_string(o.spec.type) + " | " + range_cell(o.spec) + " | `" +
           o.spec.default_value.dump() + "` | " + o.spec.meaning + " |\n";
  }
  return out;
}

template ordered_json option_schema(const OptionTable<EngineOptions>&);
template ordered_json option_schema(const OptionTable<DeviceConfig>&);
template std::string option_markdown(const OptionTable<EngineOptions>&);
template std::string option_markdown(const OptionTable<DeviceConfig>&);

}  // namespace iocpsim::engine
