#include "frame_header.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>

#include "test_seed.hpp"

namespace iocpsim::protocol {
namespace {

using Header = std::array<std::uint8_t, kHeaderSize>;

// A telemetry header, seq 0x04030201, payload_len 22.
constexpr Header kGood = {0xA5, 0x5A, 0x01, 0x20, 0x00, 0x00, 0x00, 0x00,
                          0x01, 0x02, 0x03, 0x04, 0x16, 0x00, 0x00, 0x00};

detail::HeaderFault check(const Header& h, std::size_t frame_max_bytes = kDefaultFrameMaxBytes) {
  return detail::check_header(h.data(), 0, kHeaderSize, frame_max_bytes);
}

TEST(FrameHeaderTest, AGoodHeaderPassesAndParses) {
  EXPECT_EQ(check(kGood).error, DecodeError::none);
  EXPECT_TRUE(detail::header_acceptable(kGood.data(), kDefaultFrameMaxBytes));
  const FrameHeader h = detail::parse_header(kGood.data());
  EXPECT_EQ(h.version, 1);
  EXPECT_EQ(h.type, MessageType::telemetry);
  EXPECT_EQ(h.flags, 0);
  EXPECT_EQ(h.seq, 0x04030201u);
  EXPECT_EQ(h.payload_len, 22u);
}

struct BadByte {
  std::size_t at;
  std::uint8_t value;
  DecodeError error;
};

TEST(FrameHeaderTest, EachBadByteIsReportedAtItsOwnOffset) {
  const BadByte cases[] = {
      {0, 0xA4, DecodeError::bad_magic},           {1, 0x5B, DecodeError::bad_magic},
      {2, 0x00, DecodeError::unsupported_version}, {2, 0x02, DecodeError::unsupported_version},
      {3, 0x00, DecodeError::unknown_type},        {3, 0x7E, DecodeError::unknown_type},
      {4, 0x02, DecodeError::bad_flags},           {4, 0x80, DecodeError::bad_flags},
      {5, 0x01, DecodeError::bad_flags},           {6, 0x01, DecodeError::reserved_nonzero},
      {7, 0x80, DecodeError::reserved_nonzero},    {15, 0x01, DecodeError::frame_too_large},
  };
  for (const BadByte& c : cases) {
    Header h = kGood;
    h[c.at] = c.value;
    // Checked byte by byte as it would arrive: nothing before `at` is at fault.
    EXPECT_EQ(detail::check_header(h.data(), 0, c.at, kDefaultFrameMaxBytes).error, DecodeError::none);
    const detail::HeaderFault f = detail::check_header(h.data(), c.at, c.at + 1, kDefaultFrameMaxBytes);
    EXPECT_EQ(f.error, c.error) << "byte " << c.at << " = " << int{c.value};
    EXPECT_EQ(f.at, c.at);
    EXPECT_FALSE(detail::header_acceptable(h.data(), kDefaultFrameMaxBytes));
  }
}

TEST(FrameHeaderTest, TheReplyExpectedFlagIsAccepted) {
  Header h = kGood;
  h[4] = kFlagReplyExpected;
  EXPECT_EQ(check(h).error, DecodeError::none);
  EXPECT_TRUE(detail::header_acceptable(h.data(), kDefaultFrameMaxBytes));
}

struct Length {
  std::uint32_t payload_len;
  DecodeError error;
  std::size_t at;
};

TEST(FrameHeaderTest, SizeIsRefusedAtTheFirstLengthByteThatMakesItTooLarge) {
  constexpr std::uint32_t kLargest = kDefaultFrameMaxBytes - kFrameOverhead;  // 65516 = 0xFFEC
  const Length cases[] = {
      {kLargest, DecodeError::none, 0},
      {kLargest + 1, DecodeError::frame_too_large, 13},  // 0xFFED: known too large after byte 13
      {0x00010000, DecodeError::frame_too_large, 14},
      {0x01000000, DecodeError::frame_too_large, 15},
      {0xFFFFFFFF, DecodeError::frame_too_large, 13},
  };
  for (const Length& c : cases) {
    Header h = kGood;
    for (int i = 0; i < 4; ++i) h[12 + i] = static_cast<std::uint8_t>(c.payload_len >> (8 * i));
    const detail::HeaderFault f = check(h);
    EXPECT_EQ(f.error, c.error) << "payload_len " << c.payload_len;
    if (c.error != DecodeError::none) {
      EXPECT_EQ(f.at, c.at) << "payload_len " << c.payload_len;
    }
  }
}

TEST(FrameHeaderTest, TheMaximumIsTheWholeFrameIncludingHeaderAndCrc) {
  Header h = kGood;  // 22-byte payload: a 42-byte frame
  EXPECT_EQ(check(h, 42).error, DecodeError::none);
  EXPECT_EQ(check(h, 41).error, DecodeError::frame_too_large);
  EXPECT_TRUE(detail::header_acceptable(h.data(), 42));
  EXPECT_FALSE(detail::header_acceptable(h.data(), 41));
}

TEST(FrameHeaderTest, TheQuickCheckAgreesWithTheByteByByteCheck) {
  const unsigned seed = testing::test_seed();
  std::mt19937 rng(seed);
  for (int i = 0; i < 200000; ++i) {
    Header h = kGood;
    // Damage one or two bytes, or none, so that both answers occur often.
    for (int k = static_cast<int>(rng() % 3); k > 0; --k) h[rng() % kHeaderSize] = static_cast<std::uint8_t>(rng());
    const std::size_t max = kFrameMaxBytesMin + rng() % 70000;
    ASSERT_EQ(detail::header_acceptable(h.data(), max), check(h, max).error == DecodeError::none)
        << testing::replay_hint(seed) << " iteration " << i;
  }
}

}  // namespace
}  // namespace iocpsim::protocol
