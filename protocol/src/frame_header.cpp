#include "frame_header.hpp"

#include "wire.hpp"

namespace iocpsim::protocol::detail {

namespace {

constexpr std::size_t kPayloadLenAt = 12;

DecodeError check_byte(const std::uint8_t* h, std::size_t i, std::size_t frame_max_bytes) noexcept {
  const std::uint8_t b = h[i];
  switch (i) {
    case 0:
      return b == kMagic0 ? DecodeError::none : DecodeError::bad_magic;
    case 1:
      return b == kMagic1 ? DecodeError::none : DecodeError::bad_magic;
    case 2:
      return b == kVersion ? DecodeError::none : DecodeError::unsupported_version;
    case 3:
      return is_known(b) ? DecodeError::none : DecodeError::unknown_type;
    case 4:
      return (b & ~kKnownFlags & 0xFF) == 0 ? DecodeError::none : DecodeError::bad_flags;
    case 5:
      return (b & ~(kKnownFlags >> 8) & 0xFF) == 0 ? DecodeError::none : DecodeError::bad_flags;
    case 6:
    case 7:
      return b == 0 ? DecodeError::none : DecodeError::reserved_nonzero;
    default:
      break;
  }
  if (i < kPayloadLenAt) return DecodeError::none;  // seq: any value
  // payload_len is little-endian, so the bytes seen so far give a lower bound of its value.
  std::uint64_t at_least = 0;
  for (std::size_t j = kPayloadLenAt; j <= i; ++j) at_least |= std::uint64_t{h[j]} << (8 * (j - kPayloadLenAt));
  return at_least + kFrameOverhead > frame_max_bytes ? DecodeError::frame_too_large : DecodeError::none;
}

}  // namespace

HeaderFault check_header(const std::uint8_t* h, std::size_t from, std::size_t to,
                         std::size_t frame_max_bytes) noexcept {
  for (std::size_t i = from; i < to; ++i) {
    const DecodeError e = check_byte(h, i, frame_max_bytes);
    if (e != DecodeError::none) return {e, i};
  }
  return {};
}

bool header_acceptable(const std::uint8_t* h, std::size_t frame_max_bytes) noexcept {
  // Bytes 0..7 hold magic, version, type, flags and reserved; type is checked on its own.
  constexpr std::uint64_t kMask =
      0x00FF'FFFFull | (std::uint64_t{static_cast<std::uint16_t>(~kKnownFlags)} << 32) | (0xFFFFull << 48);
  constexpr std::uint64_t kExpected = kMagic0 | (kMagic1 << 8) | (std::uint64_t{kVersion} << 16);
  const std::uint64_t fixed = load_le64(h);
  const std::uint64_t frame_bytes = std::uint64_t{load_le32(h + kPayloadLenAt)} + kFrameOverhead;
  return (fixed & kMask) == kExpected && is_known(h[3]) && frame_bytes <= frame_max_bytes;
}

}  // namespace iocpsim::protocol::detail
