// The folding code on its own, against the slicing code.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "crc32c_tables.hpp"
#include "iocpsim/protocol/crc32c.hpp"
#include "test_seed.hpp"

namespace iocpsim::protocol {
namespace {

TEST(Crc32cFoldTest, FoldsWholeBlocksToTheSameRegisterAsSlicing) {
  if (!detail::crc32c_fold_available()) GTEST_SKIP() << "no AVX-512 carry-less multiply on this build or CPU";
  const unsigned seed = testing::test_seed();
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> data(64 * detail::kFoldBlockBytes + 64);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  for (std::size_t blocks = 1; blocks <= 64; ++blocks) {
    for (std::size_t extra : {0u, 1u, 100u}) {
      const std::size_t start = blocks % 8;
      const std::size_t n = blocks * detail::kFoldBlockBytes + extra;
      const std::uint32_t reg = static_cast<std::uint32_t>(rng());
      std::size_t taken = 0;
      const std::uint32_t folded = detail::crc32c_fold(reg, data.data() + start, n, &taken);
      ASSERT_EQ(taken, blocks * detail::kFoldBlockBytes) << "n " << n;
      ASSERT_EQ(folded, detail::crc32c_slicing(reg, data.data() + start, taken))
          << "blocks " << blocks << " start " << start << " " << testing::replay_hint(seed);
    }
  }
}

TEST(Crc32cFoldTest, TakesNothingFromLessThanABlock) {
  if (!detail::crc32c_fold_available()) GTEST_SKIP() << "no AVX-512 carry-less multiply on this build or CPU";
  std::vector<std::uint8_t> data(detail::kFoldBlockBytes - 1, 0x33);
  std::size_t taken = 99;
  EXPECT_EQ(detail::crc32c_fold(0x1234u, data.data(), data.size(), &taken), 0x1234u);
  EXPECT_EQ(taken, 0u);
}

}  // namespace
}  // namespace iocpsim::protocol
