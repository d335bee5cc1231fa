#include "iocpsim/protocol/crc32c.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "test_seed.hpp"

namespace iocpsim::protocol {
namespace {

struct Vector {
  std::vector<std::uint8_t> data;
  std::uint32_t crc;
};

// Check values from RFC 3720 (iSCSI), appendix B.4, and the common "123456789" check.
std::vector<Vector> known_vectors() {
  std::vector<std::uint8_t> ascending(32), descending(32);
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<std::uint8_t>(i);
    descending[i] = static_cast<std::uint8_t>(31 - i);
  }
  return {
      {{'1', '2', '3', '4', '5', '6', '7', '8', '9'}, 0xE3069283u},
      {std::vector<std::uint8_t>(32, 0x00), 0x8A9136AAu},
      {std::vector<std::uint8_t>(32, 0xFF), 0x62A8AB43u},
      {ascending, 0x46DD794Eu},
      {descending, 0x113FDB5Cu},
      {{}, 0x00000000u},
  };
}

TEST(Crc32cTest, PortableCodeMatchesTheKnownVectors) {
  for (const Vector& v : known_vectors()) {
    EXPECT_EQ(crc32c_portable(0, v.data.data(), v.data.size()), v.crc) << "length " << v.data.size();
  }
}

TEST(Crc32cTest, DispatchedCodeMatchesTheKnownVectors) {
  for (const Vector& v : known_vectors()) {
    EXPECT_EQ(crc32c(0, v.data.data(), v.data.size()), v.crc) << "length " << v.data.size();
  }
}

TEST(Crc32cTest, ExtendingInPiecesEqualsOneCall) {
  const unsigned seed = testing::test_seed();
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> data(5000);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  const std::uint32_t whole = crc32c(0, data.data(), data.size());
  for (std::size_t cut = 0; cut <= data.size(); cut += 97) {
    const std::uint32_t first = crc32c(0, data.data(), cut);
    EXPECT_EQ(crc32c(first, data.data() + cut, data.size() - cut), whole)
        << "cut " << cut << " " << testing::replay_hint(seed);
    const std::uint32_t first_portable = crc32c_portable(0, data.data(), cut);
    EXPECT_EQ(crc32c_portable(first_portable, data.data() + cut, data.size() - cut), whole)
        << "cut " << cut << " " << testing::replay_hint(seed);
  }
}

TEST(Crc32cTest, AnySingleBitFlipChangesTheValue) {
  std::uint8_t data[64] = {};
  const std::uint32_t clean = crc32c(0, data, sizeof data);
  for (std::size_t bit = 0; bit < sizeof data * 8; ++bit) {
    data[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_NE(crc32c(0, data, sizeof data), clean) << "bit " << bit;
    data[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  }
}

}  // namespace
}  // namespace iocpsim::protocol
