#include "iocpsim/devsim/message_json.hpp"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

namespace iocpsim::devsim {

namespace pr = iocpsim::protocol;

namespace detail {

template <class E>
using EnumNames = std::vector<std::pair<E, std::string>>;

const EnumNames<pr::MessageType>& type_names() {
  static const EnumNames<pr::MessageType> names = {{pr::MessageType::hello, "hello"},
                                                   {pr::MessageType::hello_ack, "hello_ack"},
                                                   {pr::MessageType::heartbeat, "heartbeat"},
                                                   {pr::MessageType::heartbeat_ack, "heartbeat_ack"},
                                                   {pr::MessageType::command, "command"},
                                                   {pr::MessageType::response, "response"},
                                                   {pr::MessageType::telemetry, "telemetry"},
                                                   {pr::MessageType::event, "event"},
                                                   {pr::MessageType::bye, "bye"},
                                                   {pr::MessageType::error, "error"}};
  return names;
}
const EnumNames<pr::Status>& status_names() {
  static const EnumNames<pr::Status> names = {{pr::Status::ok, "ok"},
                                              {pr::Status::unknown_opcode, "unknown_opcode"},
                                              {pr::Status::bad_argument, "bad_argument"},
                                              {pr::Status::busy, "busy"},
                                              {pr::Status::internal_error, "internal_error"}};
  return names;
}
const EnumNames<pr::Severity>& severity_names() {
  static const EnumNames<pr::Severity> names = {{pr::Severity::info, "info"},
                                                {pr::Severity::warning, "warning"},
                                                {pr::Severity::alarm, "alarm"},
                                                {pr::Severity::critical, "critical"}};
  return names;
}
const EnumNames<pr::ByeReason>& bye_names() {
  static const EnumNames<pr::ByeReason> names = {{pr::ByeReason::normal, "normal"},
                                                 {pr::ByeReason::shutting_down, "shutting_down"},
                                                 {pr::ByeReason::restarting, "restarting"},
                                                 {pr::ByeReason::protocol_violation, "protocol_violation"},
                                                 {pr::ByeReason::idle_timeout, "idle_timeout"}};
  return names;
}
const EnumNames<pr::ErrorCode>& error_names() {
  static const EnumNames<pr::ErrorCode> names = {{pr::ErrorCode::malformed_frame, "malformed_frame"},
                                                 {pr::ErrorCode::unsupported_version, "unsupported_version"},
                                                 {pr::ErrorCode::unexpected_message, "unexpected_message"},
                                                 {pr::ErrorCode::too_busy, "too_busy"}};
  return names;
}

template <class E>
std::string name_of(const EnumNames<E>& names, E value) {
  for (const auto& [v, n] : names) {
    if (v == value) return n;
  }
  return std::to_string(static_cast<unsigned>(value));  // a value outside the catalogue, shown as a number
}

template <class E>
E read_enum(JsonReader& r, std::string_view key, E fallback, const EnumNames<E>& names) {
  std::vector<std::string> choices;
  for (const auto& [v, n] : names) choices.push_back(n);
  const auto text = r.get_choice(key, name_of(names, fallback), choices);
  for (const auto& [v, n] : names) {
    if (n == text) return v;
  }
  return fallback;
}

template <class T>
T narrow(std::uint64_t v) {
  return static_cast<T>(v);
}

std::string_view keep(std::string& slot, std::string value) {
  slot = std::move(value);
  return slot;
}

pr::Message hello_from(JsonReader& r, MessageStorage& s) {
  pr::Hello m;
  m.min_version = narrow<std::uint8_t>(r.get_uint("min_version", 1, 0xFF));
  m.max_version = narrow<std::uint8_t>(r.get_uint("max_version", 1, 0xFF));
  m.capabilities = narrow<std::uint32_t>(r.get_uint("capabilities", 0));
  m.host_id = keep(s.text[0], r.get_string("host_id", "host"));
  return m;
}

pr::Message hello_ack_from(JsonReader& r, MessageStorage& s, const MessageDefaults& d) {
  pr::HelloAck m;
  m.version = narrow<std::uint8_t>(r.get_uint("version", pr::kVersion, 0xFF));
  m.capabilities = narrow<std::uint32_t>(r.get_uint("capabilities", d.capabilities));
  m.heartbeat_interval_ms = narrow<std::uint32_t>(r.get_uint("heartbeat_interval_ms", d.heartbeat_interval_ms));
  m.device_id = keep(s.text[0], r.get_string("device_id", d.device_id));
  m.serial = keep(s.text[1], r.get_string("serial", d.serial));
  m.firmware = keep(s.text[2], r.get_string("firmware", d.firmware));
  return m;
}

pr::Message command_from(JsonReader& r, MessageStorage& s) {
  pr::Command m;
  m.request_id = narrow<std::uint32_t>(r.get_uint("request_id", 0));
  m.opcode = narrow<std::uint16_t>(r.get_uint("opcode", 0, 0xFFFF));
  s.bytes = r.get_hex("data");
  m.data = s.bytes;
  return m;
}

pr::Message response_from(JsonReader& r, MessageStorage& s) {
  pr::Response m;
  m.request_id = narrow<std::uint32_t>(r.get_uint("request_id", 0));
  m.status = read_enum(r, "status", pr::Status::ok, status_names());
  s.bytes = r.get_hex("data");
  m.data = s.bytes;
  return m;
}

pr::Message telemetry_from(JsonReader& r, MessageStorage& s) {
  pr::Telemetry m;
  m.channel = narrow<std::uint16_t>(r.get_uint("channel", 0, 0xFFFF));
  m.channel_seq = narrow<std::uint32_t>(r.get_uint("channel_seq", 0));
  m.timestamp_us = r.get_uint("timestamp_us", 0, UINT64_MAX);
  s.bytes = r.get_hex("samples");
  m.samples = s.bytes;
  return m;
}

pr::Message event_from(JsonReader& r, MessageStorage& s) {
  pr::Event m;
  m.event_id = narrow<std::uint32_t>(r.get_uint("event_id", 0));
  m.severity = read_enum(r, "severity", pr::Severity::info, severity_names());
  m.code = narrow<std::uint16_t>(r.get_uint("code", 0, 0xFFFF));
  m.timestamp_us = r.get_uint("timestamp_us", 0, UINT64_MAX);
  m.text = keep(s.text[0], r.get_string("text", ""));
  return m;
}

pr::Message bye_from(JsonReader& r, MessageStorage& s) {
  pr::Bye m;
  m.reason = read_enum(r, "reason", pr::ByeReason::normal, bye_names());
  m.text = keep(s.text[0], r.get_string("text", ""));
  return m;
}

pr::Message error_from(JsonReader& r, MessageStorage& s) {
  pr::Error m;
  m.code = read_enum(r, "code", pr::ErrorCode::malformed_frame, error_names());
  m.ref_seq = narrow<std::uint32_t>(r.get_uint("ref_seq", 0));
  m.text = keep(s.text[0], r.get_string("text", ""));
  return m;
}

pr::Message build(pr::MessageType type, JsonReader& r, MessageStorage& s, const MessageDefaults& d) {
  switch (type) {
    case pr::MessageType::hello:
      return hello_from(r, s);
    case pr::MessageType::hello_ack:
      return hello_ack_from(r, s, d);
    case pr::MessageType::heartbeat:
      return pr::Heartbeat{r.get_uint("nonce", 0, UINT64_MAX)};
    case pr::MessageType::heartbeat_ack:
      return pr::HeartbeatAck{r.get_uint("nonce", 0, UINT64_MAX)};
    case pr::MessageType::command:
      return command_from(r, s);
    case pr::MessageType::response:
      return response_from(r, s);
    case pr::MessageType::telemetry:
      return telemetry_from(r, s);
    case pr::MessageType::event:
      return event_from(r, s);
    case pr::MessageType::bye:
      return bye_from(r, s);
    case pr::MessageType::error:
      return error_from(r, s);
  }
  return pr::Heartbeat{};
}

std::string hex_of(pr::Bytes b) { return to_hex(b.data(), b.size()); }

struct ToJson {
  nlohmann::json& j;
  void operator()(const pr::Hello& m) const {
    j["min_version"] = m.min_version;
    j["max_version"] = m.max_version;
    j["capabilities"] = m.capabilities;
    j["host_id"] = std::string(m.host_id);
  }
  void operator()(const pr::HelloAck& m) const {
    j["version"] = m.version;
    j["capabilities"] = m.capabilities;
    j["heartbeat_interval_ms"] = m.heartbeat_interval_ms;
    j["device_id"] = std::string(m.device_id);
    j["serial"] = std::string(m.serial);
    j["firmware"] = std::string(m.firmware);
  }
  void operator()(const pr::Heartbeat& m) const { j["nonce"] = m.nonce; }
  void operator()(const pr::HeartbeatAck& m) const { j["nonce"] = m.nonce; }
  void operator()(const pr::Command& m) const {
    j["request_id"] = m.request_id;
    j["opcode"] = m.opcode;
    j["data"] = hex_of(m.data);
  }
  void operator()(const pr::Response& m) const {
    j["request_id"] = m.request_id;
    j["status"] = name_of(status_names(), m.status);
    j["data"] = hex_of(m.data);
  }
  void operator()(const pr::Telemetry& m) const {
    j["channel"] = m.channel;
    j["channel_seq"] = m.channel_seq;
    j["timestamp_us"] = m.timestamp_us;
    j["samples"] = hex_of(m.samples);
  }
  void operator()(const pr::Event& m) const {
    j["event_id"] = m.event_id;
    j["severity"] = name_of(severity_names(), m.severity);
    j["code"] = m.code;
    j["timestamp_us"] = m.timestamp_us;
    j["text"] = std::string(m.text);
  }
  void operator()(const pr::Bye& m) const {
    j["reason"] = name_of(bye_names(), m.reason);
    j["text"] = std::string(m.text);
  }
  void operator()(const pr::Error& m) const {
    j["code"] = name_of(error_names(), m.code);
    j["ref_seq"] = m.ref_seq;
    j["text"] = std::string(m.text);
  }
};

}  // namespace detail

const std::vector<std::string>& message_type_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [v, n] : detail::type_names()) out.push_back(n);
    return out;
  }();
  return names;
}

pr::MessageType message_type_from_name(const std::string& name) {
  for (const auto& [v, n] : detail::type_names()) {
    if (n == name) return v;
  }
  return pr::MessageType::heartbeat;
}

pr::Message message_from_json(JsonReader& reader, MessageStorage& storage, const MessageDefaults& defaults) {
  if (!reader.has("type")) throw SpecError(reader.path_of("type"), "is required (a message type name)");
  const auto type = message_type_from_name(reader.get_choice("type", "", message_type_names()));
  auto message = detail::build(type, reader, storage, defaults);
  reader.finish();
  return message;
}

nlohmann::json pattern_from_json(JsonReader& reader) {
  MessageStorage storage;
  const auto message = message_from_json(reader, storage, MessageDefaults{});
  const auto full = message_to_json(message);
  nlohmann::json pattern = nlohmann::json::object();
  for (const auto& [key, value] : full.items()) {
    if (reader.has(key)) pattern[key] = value;
  }
  return pattern;
}

nlohmann::json message_to_json(const pr::Message& message) {
  nlohmann::json j;
  j["type"] = detail::name_of(detail::type_names(), pr::type_of(message));
  std::visit(detail::ToJson{j}, message);
  return j;
}

pr::Status read_status(JsonReader& reader, std::string_view key, pr::Status fallback) {
  return detail::read_enum(reader, key, fallback, detail::status_names());
}

pr::Severity read_severity(JsonReader& reader, std::string_view key, pr::Severity fallback) {
  return detail::read_enum(reader, key, fallback, detail::severity_names());
}

pr::ByeReason read_bye_reason(JsonReader& reader, std::string_view key, pr::ByeReason fallback) {
  return detail::read_enum(reader, key, fallback, detail::bye_names());
}

bool message_matches(const nlohmann::json& pattern, const nlohmann::json& actual) {
  for (const auto& [key, value] : pattern.items()) {
    const auto it = actual.find(key);
    if (it == actual.end() || *it != value) return false;
  }
  return true;
}

}  // namespace iocpsim::devsim
