#include "iocpsim/protocol/crc32c.hpp"

#include "crc32c_tables.hpp"
#include "wire.hpp"

namespace iocpsim::protocol {

namespace detail {

std::uint32_t crc32c_slicing(std::uint32_t reg, const std::uint8_t* p, std::size_t n) noexcept {
  const auto& t = kSlicingTables;
  for (; n >= 8; n -= 8, p += 8) {
    const std::uint32_t lo = reg ^ load_le32(p);
    const std::uint32_t hi = load_le32(p + 4);
    reg = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^ t[4][lo >> 24] ^ t[3][hi & 0xFFu] ^
          t[2][(hi >> 8) & 0xFFu] ^ t[1][(hi >> 16) & 0xFFu] ^ t[0][hi >> 24];
  }
  for (; n != 0; --n, ++p) reg = (reg >> 8) ^ t[0][(reg ^ *p) & 0xFFu];
  return reg;
}

}  // namespace detail

std::uint32_t crc32c_portable(std::uint32_t crc, const void* data, std::size_t size) noexcept {
  return ~detail::crc32c_slicing(~crc, static_cast<const std::uint8_t*>(data), size);
}

// Without the instruction this is the portable code, so callers and tests need no special case.
std::uint32_t crc32c_hardware(std::uint32_t crc, const void* data, std::size_t size) noexcept {
  const auto* p = static_cast<const std::uint8_t*>(data);
  if (!crc32c_hardware_available()) return ~detail::crc32c_slicing(~crc, p, size);
  return ~detail::crc32c_instruction(~crc, p, size);
}

bool crc32c_hardware_available() noexcept {
  static const bool available = detail::crc32c_instruction_available();
  return available;
}

std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t size) noexcept {
  return crc32c_hardware(crc, data, size);
}

}  // namespace iocpsim::protocol
