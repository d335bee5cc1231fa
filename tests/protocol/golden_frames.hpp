// Golden frames: one per message type (and an empty byte field), written out byte by byte as
// PROTOCOL.md lays them out. Encoder, decoder and payload tests and the fuzz corpus share them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "iocpsim/protocol/frame.hpp"

namespace iocpsim::protocol::testing {

struct GoldenFrame {
  std::string name;
  Message message;
  std::uint32_t seq = 0;
  std::uint16_t flags = 0;
  std::vector<std::uint8_t> bytes;        // the whole frame, header to CRC
  std::vector<std::size_t> field_starts;  // payload offset of each field, in order
};

const std::vector<GoldenFrame>& golden_frames();

// Every field of a message as text, so that two messages compare equal when their texts do.
std::string describe(const Message& m);

// The golden frames back to back, as one stream.
std::vector<std::uint8_t> golden_stream();

}  // namespace iocpsim::protocol::testing
