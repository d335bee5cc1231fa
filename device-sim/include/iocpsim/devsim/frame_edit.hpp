// Byte-level edits of encoded frames, for the faults a script injects. The header layout is the
// protocol's (magic 0..1, version 2, type 3, flags 4..5, reserved 6..7, seq 8..11, payload_len
// 12..15), multi-byte fields little-endian.
#pragma once

#include <cstdint>
#include <vector>

#include "iocpsim/protocol/messages.hpp"

namespace iocpsim::devsim {

inline constexpr std::size_t kPayloadLenOffset = 12;
inline constexpr std::size_t kSeqOffset = 8;

std::uint32_t read_payload_len(const std::vector<std::uint8_t>& frame);
void write_payload_len(std::vector<std::uint8_t>& frame, std::uint32_t value);
void flip_crc(std::vector<std::uint8_t>& frame);     // the frame's CRC no longer matches
void break_magic(std::vector<std::uint8_t>& frame);  // the first byte is no longer A5

// A lone frame header claiming `payload_len` bytes of payload (none follow).
std::vector<std::uint8_t> header_only(protocol::MessageType type, std::uint32_t seq, std::uint32_t payload_len);

}  // namespace iocpsim::devsim
