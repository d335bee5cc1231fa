// CRC-32C by folding with carry-less multiplication (VPCLMULQDQ on 512-bit vectors, x86-64).
//
// The message is a polynomial M(x) and its CRC register is M(x)·x^32 mod P. Folding keeps a few
// 128-bit accumulators congruent to the message seen so far: moving an accumulator A = L·x^64 + H
// forward by D bits replaces A·x^D with L·(x^(D+64) mod P) + H·(x^D mod P), each product at most
// 96 bits wide. Bits are reflected (the first bit on the wire is the highest power), so a 64-bit
// carry-less product comes out one bit low; the constants are taken one power lower to match.
// At the end one 128-bit accumulator remains, and running the CRC32 instruction over its 16 bytes
// from a zero register yields the CRC of everything folded.
#include "crc32c_tables.hpp"

#if defined(__x86_64__)
#include <immintrin.h>

#define IOCPSIM_FOLD_TARGET __attribute__((target("avx512f,avx512vl,vpclmulqdq,sse4.2")))

namespace iocpsim::protocol::detail {

namespace {

// A constant that multiplies by x^n mod P, placed where a reflected 64-bit operand expects it.
constexpr std::uint64_t power_operand(std::size_t n) noexcept { return std::uint64_t{crc_x_power(n)} << 32; }

struct FoldConstants {
  std::uint64_t low_half = 0;   // multiplies an accumulator's first 8 bytes
  std::uint64_t high_half = 0;  // multiplies its last 8 bytes
};
constexpr FoldConstants fold_by_bits(std::size_t bits) noexcept {
  return {power_operand(bits + 64 - 1), power_operand(bits - 1)};
}

constexpr std::size_t kVectorBytes = 64;                          // one 512-bit vector
constexpr std::size_t kVectors = kFoldBlockBytes / kVectorBytes;  // independent accumulators
constexpr std::size_t kLane = 16;                                 // a 128-bit lane of a vector

// Every constant is computed at compile time: crc_x_power() loops once per bit.
constexpr FoldConstants kStride = fold_by_bits(8 * kFoldBlockBytes);

// At the end, accumulators move over one or two of those after them.
constexpr FoldConstants kOneVector = fold_by_bits(8 * kVectorBytes);
constexpr FoldConstants kTwoVectors = fold_by_bits(2 * 8 * kVectorBytes);

// Moves lane i of the last vector over the lanes after it; the last lane stays (constant zero).
constexpr std::array<FoldConstants, 4> make_lane_merge() noexcept {
  std::array<FoldConstants, 4> k{};
  for (std::size_t i = 0; i < 3; ++i) k[i] = fold_by_bits(8 * kLane * (3 - i));
  return k;
}
constexpr auto kLaneMerge = make_lane_merge();

IOCPSIM_FOLD_TARGET inline __m512i constants(FoldConstants k) noexcept {
  return _mm512_set4_epi64(static_cast<long long>(k.high_half), static_cast<long long>(k.low_half),
                           static_cast<long long>(k.high_half), static_cast<long long>(k.low_half));
}

// fold(acc) ^ other, in one three-way XOR.
IOCPSIM_FOLD_TARGET inline __m512i fold_into(__m512i acc, __m512i k, __m512i other) noexcept {
  return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(acc, k, 0x00), _mm512_clmulepi64_epi128(acc, k, 0x11),
                                   other, 0x96);
}

IOCPSIM_FOLD_TARGET inline __m512i load(const std::uint8_t* p) noexcept { return _mm512_loadu_si512(p); }

// The masked form, because GCC 12 warns that the plain one reads an undefined register.
template <int index>
IOCPSIM_FOLD_TARGET inline __m128i lane(__m512i v) noexcept {
  return _mm512_maskz_extracti32x4_epi32(0xF, v, index);
}

// Folds the accumulators, which hold consecutive 64-byte pieces, into one 16-byte remainder.
IOCPSIM_FOLD_TARGET inline __m128i merge(const __m512i (&acc)[kVectors]) noexcept {
  static_assert(kVectors == 4, "the merge below is written for four accumulators");
  // Two independent chains, to shorten the latency at the end.
  const __m512i front = fold_into(acc[0], constants(kOneVector), acc[1]);
  const __m512i back = fold_into(acc[2], constants(kOneVector), acc[3]);
  const __m512i sum = fold_into(front, constants(kTwoVectors), back);
  const __m512i lanes = _mm512_set_epi64(
      0, 0, static_cast<long long>(kLaneMerge[2].high_half), static_cast<long long>(kLaneMerge[2].low_half),
      static_cast<long long>(kLaneMerge[1].high_half), static_cast<long long>(kLaneMerge[1].low_half),
      static_cast<long long>(kLaneMerge[0].high_half), static_cast<long long>(kLaneMerge[0].low_half));
  // Lanes 0..2 folded over the last lane; lane 3's product is zero, so add the lane itself.
  const __m512i moved = fold_into(sum, lanes, _mm512_setzero_si512());
  const __m128i a = _mm_xor_si128(lane<0>(moved), lane<1>(moved));
  return _mm_ternarylogic_epi64(a, lane<2>(moved), lane<3>(sum), 0x96);
}

// Accumulators for consecutive blocks of kFoldBlockBytes.
struct Folder {
  __m512i acc[kVectors];

  // A starting register is the same as XOR-ing it into the first four message bytes.
  IOCPSIM_FOLD_TARGET void start(std::uint32_t reg, const std::uint8_t* block) noexcept {
    for (std::size_t i = 0; i < kVectors; ++i) acc[i] = load(block + i * kVectorBytes);
    const __m128i first = _mm_cvtsi32_si128(static_cast<int>(reg));
    acc[0] = _mm512_xor_si512(acc[0], _mm512_inserti32x4(_mm512_setzero_si512(), first, 0));
  }
  IOCPSIM_FOLD_TARGET void add(const std::uint8_t* block, __m512i stride) noexcept {
    for (std::size_t i = 0; i < kVectors; ++i) acc[i] = fold_into(acc[i], stride, load(block + i * kVectorBytes));
  }
  // The CRC register after every block added.
  IOCPSIM_FOLD_TARGET std::uint32_t finish() const noexcept {
    const __m128i rest = merge(acc);
    const std::uint64_t r = _mm_crc32_u64(0, static_cast<std::uint64_t>(_mm_cvtsi128_si64(rest)));
    return static_cast<std::uint32_t>(_mm_crc32_u64(r, static_cast<std::uint64_t>(_mm_extract_epi64(rest, 1))));
  }
};

}  // namespace

IOCPSIM_FOLD_TARGET std::uint32_t crc32c_fold(std::uint32_t reg, const std::uint8_t* p, std::size_t n,
                                              std::size_t* taken) noexcept {
  const std::uint8_t* const begin = p;
  if (n >= kFoldBlockBytes) {
    Folder folder;
    folder.start(reg, p);
    const __m512i stride = constants(kStride);
    for (p += kFoldBlockBytes, n -= kFoldBlockBytes; n >= kFoldBlockBytes; p += kFoldBlockBytes, n -= kFoldBlockBytes) {
      folder.add(p, stride);
    }
    reg = folder.finish();
  }
  *taken = static_cast<std::size_t>(p - begin);
  return reg;
}

bool crc32c_fold_available() noexcept {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("vpclmulqdq");
}

}  // namespace iocpsim::protocol::detail

#else

namespace iocpsim::protocol::detail {

std::uint32_t crc32c_fold(std::uint32_t reg, const std::uint8_t*, std::size_t, std::size_t* taken) noexcept {
  *taken = 0;
  return reg;
}

bool crc32c_fold_available() noexcept { return false; }

}  // namespace iocpsim::protocol::detail

#endif
