// Frame encoder: writes a whole frame (header, payload, CRC-32C) into a caller-provided buffer.
// No allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "iocpsim/protocol/frame.hpp"

namespace iocpsim::protocol {

enum class EncodeError : std::uint8_t {
  none = 0,
  buffer_too_small,  // `out` cannot hold the frame; nothing useful was written
  field_too_long,    // a string or byte field exceeds its 16-bit length prefix
  frame_too_large,   // the frame would exceed frame_max_bytes
};
const char* to_string(EncodeError e) noexcept;

struct EncodeResult {
  EncodeError error = EncodeError::none;
  std::size_t size = 0;  // bytes written on success; bytes needed on buffer_too_small
  explicit operator bool() const noexcept { return error == EncodeError::none; }
};

std::size_t payload_size(const Message& m) noexcept;
inline std::size_t frame_size(const Message& m) noexcept { return payload_size(m) + kFrameOverhead; }

EncodeResult encode(const Message& m, std::uint32_t seq, std::span<std::uint8_t> out, std::uint16_t flags = 0,
                    std::size_t frame_max_bytes = kDefaultFrameMaxBytes) noexcept;

}  // namespace iocpsim::protocol
