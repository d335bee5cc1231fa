// Protocol messages written as JSON objects: {"type": "event", "severity": "alarm", "code": 7, ...}.
// Field names are the protocol structs' member names; byte fields are hex strings; enums are their
// names ("busy", "alarm", "shutting_down"). Used by the send/expect steps and by the log.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "iocpsim/devsim/json_reader.hpp"
#include "iocpsim/protocol/frame.hpp"
#include "iocpsim/protocol/messages.hpp"

namespace iocpsim::devsim {

// Holds the strings and bytes a built Message points into.
struct MessageStorage {
  std::string text[3];
  std::vector<std::uint8_t> bytes;
};

// Values used for fields a JSON message leaves out (the device's identity for HELLO_ACK).
struct MessageDefaults {
  std::string device_id = "device-1";
  std::string serial = "SN-0001";
  std::string firmware = "1.0.0";
  std::uint32_t capabilities = protocol::kCapTelemetry | protocol::kCapEvents | protocol::kCapCommands;
  std::uint32_t heartbeat_interval_ms = 0;
};

// Message type names as in protocol::to_string(MessageType).
const std::vector<std::string>& message_type_names();
protocol::MessageType message_type_from_name(const std::string& name);  // name must be valid

// Builds the message described by `reader` (whose "type" key names it); fields left out take
// defaults. Throws SpecError naming the path of a bad field; rejects unknown fields.
protocol::Message message_from_json(JsonReader& reader, MessageStorage& storage, const MessageDefaults& defaults);

// Checks an expected-message pattern: "type" plus any subset of that type's fields. Returns the
// pattern normalised so that it compares equal to message_to_json() of a matching message.
nlohmann::json pattern_from_json(JsonReader& reader);

nlohmann::json message_to_json(const protocol::Message& message);

// Enum fields read by name, with the choices listed in the error.
protocol::Status read_status(JsonReader& reader, std::string_view key, protocol::Status fallback);
protocol::Severity read_severity(JsonReader& reader, std::string_view key, protocol::Severity fallback);
protocol::ByeReason read_bye_reason(JsonReader& reader, std::string_view key, protocol::ByeReason fallback);

// True when every key of `pattern` has the same value in `message` (a message_to_json() object).
bool message_matches(const nlohmann::json& pattern, const nlohmann::json& message);

}  // namespace iocpsim::devsim
