#include "iocpsim/protocol/messages.hpp"

#include <array>

namespace iocpsim::protocol {

namespace {

// Indexed by Message::index(); the variant's alternatives are listed in this order.
constexpr std::array<MessageType, std::variant_size_v<Message>> kTypeOfIndex = {
    MessageType::hello,   MessageType::hello_ack, MessageType::heartbeat, MessageType::heartbeat_ack,
    MessageType::command, MessageType::response,  MessageType::telemetry, MessageType::event,
    MessageType::bye,     MessageType::error,
};

constexpr std::array<bool, 256> make_known_table() {
  std::array<bool, 256> known{};
  for (MessageType t : kTypeOfIndex) known[static_cast<std::uint8_t>(t)] = true;
  return known;
}
constexpr std::array<bool, 256> kKnown = make_known_table();

}  // namespace

MessageType type_of(const Message& m) noexcept { return kTypeOfIndex[m.index()]; }

bool is_known(std::uint8_t type) noexcept { return kKnown[type]; }

const char* to_string(MessageType t) noexcept {
  switch (t) {
    case MessageType::hello:
      return "hello";
    case MessageType::hello_ack:
      return "hello_ack";
    case MessageType::heartbeat:
      return "heartbeat";
    case MessageType::heartbeat_ack:
      return "heartbeat_ack";
    case MessageType::command:
      return "command";
    case MessageType::response:
      return "response";
    case MessageType::telemetry:
      return "telemetry";
    case MessageType::event:
      return "event";
    case MessageType::bye:
      return "bye";
    case MessageType::error:
      return "error";
  }
  return "unknown";
}

}  // namespace iocpsim::protocol
