// The device protocol's message catalogue: one struct per message type.
// Decoded messages are views: strings and byte fields point into the decoder's input or its
// reassembly buffer and stay valid until the next call to Decoder::put() or reset().
// See protocol/PROTOCOL.md for the wire layout of each message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

namespace iocpsim::protocol {

using Bytes = std::span<const std::uint8_t>;

enum class MessageType : std::uint8_t {
  hello = 0x01,
  hello_ack = 0x02,
  heartbeat = 0x03,
  heartbeat_ack = 0x04,
  command = 0x10,
  response = 0x11,
  telemetry = 0x20,
  event = 0x30,
  bye = 0x40,
  error = 0x7F,
};

// Capability bits carried in HELLO and HELLO_ACK.
enum Capability : std::uint32_t {
  kCapTelemetry = 1u << 0,
  kCapEvents = 1u << 1,
  kCapCommands = 1u << 2,
};

struct Hello {  // host -> device, first frame on a connection
  std::uint8_t min_version = 1;
  std::uint8_t max_version = 1;
  std::uint32_t capabilities = 0;
  std::string_view host_id;
};

struct HelloAck {            // device -> host
  std::uint8_t version = 1;  // chosen version, within [min_version, max_version]
  std::uint32_t capabilities = 0;
  std::uint32_t heartbeat_interval_ms = 0;  // what the device expects; 0 = no preference
  std::string_view device_id;
  std::string_view serial;
  std::string_view firmware;
};

struct Heartbeat {
  std::uint64_t nonce = 0;
};  // either side
struct HeartbeatAck {
  std::uint64_t nonce = 0;
};  // echoes the nonce

struct Command {  // host -> device
  std::uint32_t request_id = 0;
  std::uint16_t opcode = 0;
  Bytes data;
};

enum class Status : std::uint16_t {
  ok = 0,
  unknown_opcode = 1,
  bad_argument = 2,
  busy = 3,
  internal_error = 4,
};

struct Response {  // device -> host, answers Command by request_id
  std::uint32_t request_id = 0;
  Status status = Status::ok;
  Bytes data;
};

struct Telemetry {  // device -> host
  std::uint16_t channel = 0;
  std::uint32_t channel_seq = 0;   // per channel, +1 per message; a gap means loss
  std::uint64_t timestamp_us = 0;  // device time
  Bytes samples;
};

enum class Severity : std::uint8_t { info = 0, warning = 1, alarm = 2, critical = 3 };

struct Event {  // device -> host
  std::uint32_t event_id = 0;
  Severity severity = Severity::info;
  std::uint16_t code = 0;
  std::uint64_t timestamp_us = 0;
  std::string_view text;
};

enum class ByeReason : std::uint16_t {
  normal = 0,
  shutting_down = 1,
  restarting = 2,
  protocol_violation = 3,
  idle_timeout = 4,
};

struct Bye {  // either side, graceful goodbye
  ByeReason reason = ByeReason::normal;
  std::string_view text;
};

enum class ErrorCode : std::uint16_t {
  malformed_frame = 1,
  unsupported_version = 2,
  unexpected_message = 3,
  too_busy = 4,
};

struct Error {  // either side, refers to the frame that caused it
  ErrorCode code = ErrorCode::malformed_frame;
  std::uint32_t ref_seq = 0;
  std::string_view text;
};

using Message = std::variant<Hello, HelloAck, Heartbeat, HeartbeatAck, Command, Response, Telemetry, Event, Bye, Error>;

MessageType type_of(const Message& m) noexcept;
const char* to_string(MessageType t) noexcept;  // "hello", "hello_ack", ...; "unknown" otherwise
bool is_known(std::uint8_t type) noexcept;

}  // namespace iocpsim::protocol
