#include "iocpsim/devsim/frame_edit.hpp"

#include "iocpsim/protocol/frame.hpp"

namespace iocpsim::devsim {

namespace detail {

// Multi-byte header fields are little-endian on the wire.
void write_u32(std::vector<std::uint8_t>& frame, std::size_t offset, std::uint32_t value) {
  for (std::size_t i = 0; i < 4; ++i) frame[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

}  // namespace detail

std::uint32_t read_payload_len(const std::vector<std::uint8_t>& frame) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    value |= static_cast<std::uint32_t>(frame[kPayloadLenOffset + i]) << (8 * i);
  }
  return value;
}

void write_payload_len(std::vector<std::uint8_t>& frame, std::uint32_t value) {
  detail::write_u32(frame, kPayloadLenOffset, value);
}

void flip_crc(std::vector<std::uint8_t>& frame) { frame.back() ^= 0xFF; }

void break_magic(std::vector<std::uint8_t>& frame) { frame[0] ^= 0xFF; }

std::vector<std::uint8_t> header_only(protocol::MessageType type, std::uint32_t seq, std::uint32_t payload_len) {
  std::vector<std::uint8_t> header(protocol::kHeaderSize, 0);
  header[0] = protocol::kMagic0;
  header[1] = protocol::kMagic1;
  header[2] = protocol::kVersion;
  header[3] = static_cast<std::uint8_t>(type);
  detail::write_u32(header, kSeqOffset, seq);
  write_payload_len(header, payload_len);
  return header;
}

}  // namespace iocpsim::devsim
