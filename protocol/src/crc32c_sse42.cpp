// The CRC32 instruction path (SSE4.2, x86-64). Other architectures get the "not available"
// answers at the end of this file and run the slicing code.
#include <cstring>

#include "crc32c_tables.hpp"

#if defined(__x86_64__)
#include <nmmintrin.h>

namespace iocpsim::protocol::detail {

namespace {

// The instruction has a latency of three cycles but can start one per cycle, so long buffers
// run as three independent streams whose registers are merged at the end of each stripe.
constexpr std::size_t kLongStripe = 1024;
constexpr std::size_t kShortStripe = 64;
constexpr auto kLongShift = make_shift_tables<kLongStripe>();
constexpr auto kShortShift = make_shift_tables<kShortStripe>();
// Below this, folding's set-up and final reduction cost more than the three streams.
constexpr std::size_t kFoldMinBytes = 256;

inline std::uint64_t load64(const std::uint8_t* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);  // x86 is little-endian and tolerates unaligned loads
  return v;
}

template <std::size_t stripe>
__attribute__((target("sse4.2"))) inline std::uint32_t three_streams(std::uint32_t reg, const std::uint8_t* p,
                                                                     const std::array<CrcTable, 4>& shift) noexcept {
  std::uint64_t a = reg, b = 0, c = 0;
  for (std::size_t i = 0; i < stripe; i += 8) {
    a = _mm_crc32_u64(a, load64(p + i));
    b = _mm_crc32_u64(b, load64(p + stripe + i));
    c = _mm_crc32_u64(c, load64(p + 2 * stripe + i));
  }
  const std::uint32_t ab = crc_shift(shift, static_cast<std::uint32_t>(a)) ^ static_cast<std::uint32_t>(b);
  return crc_shift(shift, ab) ^ static_cast<std::uint32_t>(c);
}

}  // namespace

__attribute__((target("sse4.2"))) std::uint32_t crc32c_instruction_streams(std::uint32_t reg, const std::uint8_t* p,
                                                                           std::size_t n) noexcept {
  for (; n >= 3 * kLongStripe; n -= 3 * kLongStripe, p += 3 * kLongStripe) {
    reg = three_streams<kLongStripe>(reg, p, kLongShift);
  }
  for (; n >= 3 * kShortStripe; n -= 3 * kShortStripe, p += 3 * kShortStripe) {
    reg = three_streams<kShortStripe>(reg, p, kShortShift);
  }
  std::uint64_t r = reg;
  for (; n >= 8; n -= 8, p += 8) r = _mm_crc32_u64(r, load64(p));
  for (; n != 0; --n, ++p) r = _mm_crc32_u8(static_cast<std::uint32_t>(r), *p);
  return static_cast<std::uint32_t>(r);
}

std::uint32_t crc32c_instruction(std::uint32_t reg, const std::uint8_t* p, std::size_t n) noexcept {
  static const bool fold_available = crc32c_fold_available();
  if (n >= kFoldMinBytes && fold_available) {
    std::size_t taken = 0;
    reg = crc32c_fold(reg, p, n, &taken);
    p += taken;
    n -= taken;
  }
  return crc32c_instruction_streams(reg, p, n);
}

bool crc32c_instruction_available() noexcept {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}

}  // namespace iocpsim::protocol::detail

#else

namespace iocpsim::protocol::detail {

std::uint32_t crc32c_instruction(std::uint32_t reg, const std::uint8_t* p, std::size_t n) noexcept {
  return crc32c_slicing(reg, p, n);
}

std::uint32_t crc32c_instruction_streams(std::uint32_t reg, const std::uint8_t* p, std::size_t n) noexcept {
  return crc32c_slicing(reg, p, n);
}

bool crc32c_instruction_available() noexcept { return false; }

}  // namespace iocpsim::protocol::detail

#endif
