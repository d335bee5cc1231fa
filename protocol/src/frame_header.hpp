// Header validation, byte by byte, so that a stream of garbage is refused at its first bad byte.
#pragma once

#include <cstddef>
#include <cstdint>

#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/frame.hpp"
#include "wire.hpp"

namespace iocpsim::protocol::detail {

struct HeaderFault {
  DecodeError error = DecodeError::none;
  std::size_t at = 0;  // header offset of the first bad byte
};

// Checks header bytes [from, to) of `h`, where bytes [0, to) are present and [0, from) were
// already checked; to <= kHeaderSize. The size check fires at the first payload_len byte after
// which the frame must exceed frame_max_bytes, whatever the bytes still to come.
HeaderFault check_header(const std::uint8_t* h, std::size_t from, std::size_t to, std::size_t frame_max_bytes) noexcept;

// True when the whole 16-byte header is acceptable; a quick path for the common case.
bool header_acceptable(const std::uint8_t* h, std::size_t frame_max_bytes) noexcept;

// Reads a complete header that check_header() accepted.
inline FrameHeader parse_header(const std::uint8_t* h) noexcept {
  FrameHeader header;
  header.version = h[2];
  header.type = static_cast<MessageType>(h[3]);
  header.flags = load_le16(h + 4);
  header.seq = load_le32(h + 8);
  header.payload_len = load_le32(h + 12);
  return header;
}

}  // namespace iocpsim::protocol::detail
