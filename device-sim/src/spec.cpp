#include "iocpsim/devsim/spec.hpp"

#include <algorithm>

#include "iocpsim/devsim/message_json.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {

namespace pr = iocpsim::protocol;

namespace detail {

MessageDefaults identity_from(JsonReader& r) {
  MessageDefaults d;
  d.device_id = r.get_string("device_id", d.device_id);
  d.serial = r.get_string("serial", d.serial);
  d.firmware = r.get_string("firmware", d.firmware);
  d.capabilities = static_cast<std::uint32_t>(r.get_uint("capabilities", d.capabilities));
  d.heartbeat_interval_ms = static_cast<std::uint32_t>(r.get_uint("heartbeat_interval_ms", d.heartbeat_interval_ms));
  r.finish();
  return d;
}

TelemetryConfig telemetry_from(JsonReader& r) {
  TelemetryConfig t;
  if (r.has("channels")) {
    t.channels.clear();
    const auto& channels = r.raw("channels");
    const auto bad = [&] { throw SpecError(r.path_of("channels"), "expected an array of channel numbers (0..65535)"); };
    if (!channels.is_array() || channels.empty()) bad();
    for (const auto& c : channels) {
      if (!c.is_number_unsigned() || c.get<std::uint64_t>() > 0xFFFF) bad();
      t.channels.push_back(static_cast<std::uint16_t>(c.get<std::uint64_t>()));
    }
  }
  t.rate_hz = r.get_number("rate_hz", t.rate_hz, 0, 100000);
  t.sample_bytes = r.get_uint("sample_bytes", t.sample_bytes, 60000);
  t.autostart = r.get_bool("autostart", t.autostart);
  r.finish();
  return t;
}

SendQueueConfig send_queue_from(JsonReader& r) {
  SendQueueConfig q;
  q.max_bytes = r.get_uint("max_bytes", q.max_bytes, UINT32_MAX);
  if (q.max_bytes == 0) throw SpecError(r.path_of("max_bytes"), "must be at least 1");
  // Without its own low-water mark a smaller queue drains to a quarter of itself.
  q.low_water_bytes = r.get_uint("low_water_bytes", std::min(q.low_water_bytes, q.max_bytes / 4), UINT32_MAX);
  if (q.low_water_bytes >= q.max_bytes) {
    throw SpecError(r.path_of("low_water_bytes"), "must be less than max_bytes (" + std::to_string(q.max_bytes) + ")");
  }
  r.finish();
  return q;
}

void read_model(JsonReader& r, ModelConfig& m) {
  if (r.has("identity")) {
    auto id = r.object("identity");
    m.identity = identity_from(id);
  }
  if (r.has("commands")) {
    m.commands.clear();
    for (auto& c : r.objects("commands")) m.commands.push_back(command_behaviour_from_json(c));
  }
  if (r.has("telemetry")) {
    auto t = r.object("telemetry");
    m.telemetry = telemetry_from(t);
  }
  if (r.has("send_queue")) {
    auto q = r.object("send_queue");
    m.send_queue = send_queue_from(q);
  }
  m.answer_heartbeats = r.get_bool("answer_heartbeats", m.answer_heartbeats);
  m.frame_max_bytes = r.get_uint(r.spelling("frame_max_bytes", {"max_frame_bytes"}), m.frame_max_bytes, 16u << 20);
}

}  // namespace detail

CommandBehaviour command_behaviour_from_json(JsonReader& r) {
  CommandBehaviour b;
  if (const auto opcode = r.optional_uint("opcode", 0xFFFF)) b.opcode = static_cast<std::uint16_t>(*opcode);
  b.status = read_status(r, "status", pr::Status::ok);
  b.data = r.get_hex("data");
  b.echo = r.get_bool("echo", false);
  b.delay_ms = static_cast<std::uint32_t>(r.get_uint("delay_ms", 0));
  b.reply = r.get_bool("reply", true);
  r.finish();
  return b;
}

DeviceSpec parse_device_spec(const nlohmann::json& value, const std::string& path) {
  JsonReader r(value, path);
  DeviceSpec spec;
  spec.path = path;
  spec.name = r.get_string("name", path.empty() ? spec.name : path);
  if (r.has("listen")) spec.listen = r.get_string("listen", "");
  spec.seed = r.optional_uint("seed", UINT64_MAX);
  detail::read_model(r, spec.model);
  if (r.has("script")) {
    const auto& script = r.raw("script");
    if (!script.is_array()) throw SpecError(r.path_of("script"), "expected an array of steps");
    // Parse once to check every step; a Device builds its own steps from the JSON.
    StepRegistry::global().parse_list(r.objects("script"), spec.model.identity);
    spec.script = script;
  }
  r.finish();
  return spec;
}

std::vector<DeviceSpec> parse_devices(const nlohmann::json& document) {
  std::vector<DeviceSpec> specs;
  if (document.is_object() && document.contains("devices")) {
    const auto& devices = document["devices"];
    if (!devices.is_array() || devices.empty())
      throw SpecError("devices", "expected a non-empty array of device specs");
    for (std::size_t i = 0; i < devices.size(); ++i) {
      specs.push_back(parse_device_spec(devices[i], "devices[" + std::to_string(i) + "]"));
    }
  } else if (document.is_array()) {
    for (std::size_t i = 0; i < document.size(); ++i) {
      specs.push_back(parse_device_spec(document[i], "[" + std::to_string(i) + "]"));
    }
  } else {
    specs.push_back(parse_device_spec(document, ""));
  }
  if (specs.empty()) throw SpecError("", "expected at least one device spec");
  return specs;
}

}  // namespace iocpsim::devsim
