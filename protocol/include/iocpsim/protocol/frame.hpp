// Framing constants and the frame header. See protocol/PROTOCOL.md, section "Frame".
#pragma once

#include <cstddef>
#include <cstdint>

#include "iocpsim/protocol/messages.hpp"

namespace iocpsim::protocol {

inline constexpr std::uint8_t kMagic0 = 0xA5;
inline constexpr std::uint8_t kMagic1 = 0x5A;
inline constexpr std::uint8_t kVersion = 1;     // the only version this code speaks
inline constexpr std::size_t kHeaderSize = 16;  // magic..payload_len
inline constexpr std::size_t kTrailerSize = 4;  // CRC-32C
inline constexpr std::size_t kFrameOverhead = kHeaderSize + kTrailerSize;
inline constexpr std::size_t kDefaultFrameMaxBytes = 64 * 1024;  // whole frame, header to CRC
inline constexpr std::size_t kFrameMaxBytesMin = 256;

// Flag bits (header offset 4). Bits not defined here must be zero.
enum Flag : std::uint16_t {
  kFlagNone = 0,
  kFlagReplyExpected = 1u << 0,  // the sender expects an answer (COMMAND, HEARTBEAT, HELLO)
};
inline constexpr std::uint16_t kKnownFlags = kFlagReplyExpected;

struct FrameHeader {
  std::uint8_t version = kVersion;
  MessageType type = MessageType::heartbeat;
  std::uint16_t flags = 0;
  std::uint32_t seq = 0;  // per sender, +1 per frame
  std::uint32_t payload_len = 0;
};

struct Frame {
  FrameHeader header;
  Message message;
  Bytes raw;  // the whole frame, header to CRC (a view, like the message)
};

}  // namespace iocpsim::protocol
