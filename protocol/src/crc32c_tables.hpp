// Compile-time tables for CRC-32C. Bits are reflected: bit 31 of a register is the
// coefficient of x^0, bit 0 that of x^31, as the hardware instruction and the wire use them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace iocpsim::protocol::detail {

inline constexpr std::uint32_t kCrc32cPoly = 0x82F63B78u;  // Castagnoli, reflected

using CrcTable = std::array<std::uint32_t, 256>;

// Product of a and b modulo the polynomial.
constexpr std::uint32_t crc_multiply(std::uint32_t a, std::uint32_t b) noexcept {
  std::uint32_t product = 0;
  for (int i = 0; i < 32; ++i) {
    if (a & 0x80000000u) product ^= b;
    a <<= 1;
    b = (b >> 1) ^ ((b & 1u) ? kCrc32cPoly : 0u);  // b *= x
  }
  return product;
}

// x^(8 * bytes) modulo the polynomial: what appending `bytes` zero bytes multiplies a register by.
constexpr std::uint32_t crc_zeros_operator(std::size_t bytes) noexcept {
  std::uint32_t result = 0x80000000u;  // x^0
  std::uint32_t square = 0x00800000u;  // x^8
  for (; bytes != 0; bytes >>= 1) {
    if (bytes & 1u) result = crc_multiply(result, square);
    square = crc_multiply(square, square);
  }
  return result;
}

// x^n modulo the polynomial, for any n (used for the folding constants).
constexpr std::uint32_t crc_x_power(std::size_t n) noexcept {
  std::uint32_t result = 0x80000000u;  // x^0
  for (; n != 0; --n) result = (result >> 1) ^ ((result & 1u) ? kCrc32cPoly : 0u);
  return result;
}

// Slicing tables: table[k][b] is the register after byte b followed by k zero bytes.
constexpr std::array<CrcTable, 8> make_slicing_tables() noexcept {
  std::array<CrcTable, 8> t{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t c = b;
    for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1u) ? kCrc32cPoly : 0u);
    t[0][b] = c;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFFu];
  }
  return t;
}
inline constexpr std::array<CrcTable, 8> kSlicingTables = make_slicing_tables();

// Tables that advance a register over `bytes` zero bytes with four look-ups, one per byte of it.
template <std::size_t bytes>
constexpr std::array<CrcTable, 4> make_shift_tables() noexcept {
  constexpr std::uint32_t op = crc_zeros_operator(bytes);
  std::array<CrcTable, 4> t{};
  for (std::size_t k = 0; k < 4; ++k) {
    for (std::uint32_t b = 0; b < 256; ++b) t[k][b] = crc_multiply(b << (8 * k), op);
  }
  return t;
}

inline std::uint32_t crc_shift(const std::array<CrcTable, 4>& t, std::uint32_t reg) noexcept {
  return t[0][reg & 0xFFu] ^ t[1][(reg >> 8) & 0xFFu] ^ t[2][(reg >> 16) & 0xFFu] ^ t[3][reg >> 24];
}

// The slicing-by-8 implementation; `reg` is the raw register (not inverted).
std::uint32_t crc32c_slicing(std::uint32_t reg, const std::uint8_t* p, std::size_t n) noexcept;

// The CPU's CRC32 instruction, when this build and this CPU have it. crc32c_instruction() hands
// long buffers to crc32c_fold() when that is available; crc32c_instruction_streams() never does.
bool crc32c_instruction_available() noexcept;
std::uint32_t crc32c_instruction(std::uint32_t reg, const std::uint8_t* p, std::size_t n) noexcept;
std::uint32_t crc32c_instruction_streams(std::uint32_t reg, const std::uint8_t* p, std::size_t n) noexcept;

// Folding by carry-less multiplication (AVX-512 VPCLMULQDQ), for long buffers.
// Consumes the largest multiple of kFoldBlockBytes in `n` (n must be at least that) and stores
// how many bytes it took in *taken. Needs the CRC32 instruction too.
inline constexpr std::size_t kFoldBlockBytes = 256;
bool crc32c_fold_available() noexcept;
std::uint32_t crc32c_fold(std::uint32_t reg, const std::uint8_t* p, std::size_t n, std::size_t* taken) noexcept;

}  // namespace iocpsim::protocol::detail
