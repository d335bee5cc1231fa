// The instruction path against the slicing path. On a machine or build without the instruction
// crc32c_hardware() runs the slicing code, and these tests say so instead of passing silently.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "crc32c_tables.hpp"
#include "iocpsim/protocol/crc32c.hpp"
#include "test_seed.hpp"

namespace iocpsim::protocol {
namespace {

#if defined(__x86_64__)
constexpr bool kX86 = true;  // every x86-64 CPU this project supports has SSE4.2
#else
constexpr bool kX86 = false;
#endif

class Crc32cHardwareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!crc32c_hardware_available()) GTEST_SKIP() << "no CRC32 instruction on this build or CPU";
    seed_ = testing::test_seed();
    rng_.seed(seed_);
    data_.resize(32 * 1024 + 64);
    for (auto& b : data_) b = static_cast<std::uint8_t>(rng_());
  }
  void expect_same(std::size_t start, std::size_t length) {
    const std::uint8_t* p = data_.data() + start;
    ASSERT_EQ(crc32c_hardware(0, p, length), crc32c_portable(0, p, length))
        << "start " << start << " length " << length << " " << testing::replay_hint(seed_);
  }
  unsigned seed_ = 0;
  std::mt19937 rng_;
  std::vector<std::uint8_t> data_;
};

TEST_F(Crc32cHardwareTest, AgreesWithPortableForEveryLengthUpTo300AndEveryAlignment) {
  for (std::size_t start = 0; start < 16; ++start) {
    for (std::size_t length = 0; length <= 300; ++length) expect_same(start, length);
  }
}

TEST_F(Crc32cHardwareTest, AgreesWithPortableAroundEveryStripeBoundary) {
  // Three streams of 64 and of 1024 bytes: check either side of 192, 3072 and their multiples.
  for (std::size_t edge : {192u, 384u, 3072u, 3072u + 192u, 6144u, 16400u, 32768u}) {
    for (std::size_t length = edge - 9; length <= edge + 9; ++length) expect_same(length % 7, length);
  }
}

TEST_F(Crc32cHardwareTest, ExtendsAStartingValueLikePortable) {
  for (int i = 0; i < 200; ++i) {
    const std::size_t length = rng_() % data_.size();
    const std::uint32_t start_crc = static_cast<std::uint32_t>(rng_());
    ASSERT_EQ(crc32c_hardware(start_crc, data_.data(), length), crc32c_portable(start_crc, data_.data(), length))
        << "length " << length << " " << testing::replay_hint(seed_);
  }
}

TEST_F(Crc32cHardwareTest, ThreeStreamsAloneAgreeWithPortableOnLongBuffers) {
  // crc32c_hardware() hands long buffers to the folding code where it can; test the streams too.
  for (std::size_t length : {0u, 7u, 191u, 192u, 200u, 3071u, 3072u, 3079u, 6144u + 192u + 13u, 32768u}) {
    const std::size_t start = length % 5;
    ASSERT_EQ(~detail::crc32c_instruction_streams(~0u, data_.data() + start, length),
              crc32c_portable(0, data_.data() + start, length))
        << "length " << length << " " << testing::replay_hint(seed_);
  }
}

TEST(Crc32cDispatchTest, DispatchUsesTheHardwareWhenAvailable) {
  const char text[] = "123456789";
  EXPECT_EQ(crc32c_hardware(0, text, 9), 0xE3069283u);
  EXPECT_EQ(crc32c(0, text, 9), crc32c_hardware(0, text, 9));
  // Losing the instruction path on x86-64 would be a silent slowdown.
  if (kX86) {
    EXPECT_TRUE(crc32c_hardware_available());
  }
}

}  // namespace
}  // namespace iocpsim::protocol
