// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as in iSCSI and ext4.
// crc32c() uses the CPU's CRC32 instruction when present (SSE4.2 on x86-64), else a
// slicing table; both are exposed so tests can check them against the same vectors.
#pragma once

#include <cstddef>
#include <cstdint>

namespace iocpsim::protocol {

// Extends `crc` (start with 0) over `data`. crc32c(0, "123456789", 9) == 0xE3069283.
std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t size) noexcept;
std::uint32_t crc32c_portable(std::uint32_t crc, const void* data, std::size_t size) noexcept;
std::uint32_t crc32c_hardware(std::uint32_t crc, const void* data, std::size_t size) noexcept;
bool crc32c_hardware_available() noexcept;

}  // namespace iocpsim::protocol
