#include "iocpsim/protocol/encoder.hpp"

#include <algorithm>

#include "iocpsim/protocol/crc32c.hpp"
#include "payload_codec.hpp"
#include "wire.hpp"

namespace iocpsim::protocol {

const char* to_string(EncodeError e) noexcept {
  switch (e) {
    case EncodeError::none:
      return "none";
    case EncodeError::buffer_too_small:
      return "buffer_too_small";
    case EncodeError::field_too_long:
      return "field_too_long";
    case EncodeError::frame_too_large:
      return "frame_too_large";
  }
  return "unknown";
}

std::size_t payload_size(const Message& m) noexcept { return detail::measure_payload(m).bytes; }

// Flags and enumeration values are written as given, unchecked: a test device must be able to
// send frames that a decoder refuses.
EncodeResult encode(const Message& m, std::uint32_t seq, std::span<std::uint8_t> out, std::uint16_t flags,
                    std::size_t frame_max_bytes) noexcept {
  const detail::PayloadSize payload = detail::measure_payload(m);
  if (payload.field_too_long) return {EncodeError::field_too_long, 0};
  const std::size_t frame_bytes = payload.bytes + kFrameOverhead;
  if (frame_bytes > std::max(frame_max_bytes, kFrameMaxBytesMin)) return {EncodeError::frame_too_large, frame_bytes};
  if (out.size() < frame_bytes) return {EncodeError::buffer_too_small, frame_bytes};

  std::uint8_t* p = out.data();
  p[0] = kMagic0;
  p[1] = kMagic1;
  p[2] = kVersion;
  p[3] = static_cast<std::uint8_t>(type_of(m));
  detail::store_le16(p + 4, flags);
  detail::store_le16(p + 6, 0);
  detail::store_le32(p + 8, seq);
  detail::store_le32(p + 12, static_cast<std::uint32_t>(payload.bytes));
  detail::write_payload(m, p + kHeaderSize);
  const std::size_t covered = kHeaderSize + payload.bytes;
  detail::store_le32(p + covered, crc32c(0, p, covered));
  return {EncodeError::none, frame_bytes};
}

}  // namespace iocpsim::protocol
