// Payload encoding, shared by the encoder (sizing and writing) and decode_payload().
#pragma once

#include <cstddef>
#include <cstdint>

#include "iocpsim/protocol/messages.hpp"

namespace iocpsim::protocol::detail {

inline constexpr std::size_t kMaxFieldBytes = 0xFFFF;  // strings and byte fields: u16 length prefix

struct PayloadSize {
  std::size_t bytes = 0;
  bool field_too_long = false;  // some string or byte field exceeds kMaxFieldBytes
};

PayloadSize measure_payload(const Message& m) noexcept;

// Writes the payload of `m` at `out`, which must hold measure_payload(m).bytes bytes,
// and every field must fit its length prefix.
void write_payload(const Message& m, std::uint8_t* out) noexcept;

}  // namespace iocpsim::protocol::detail
