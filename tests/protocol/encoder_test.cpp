#include "iocpsim/protocol/encoder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "golden_frames.hpp"

namespace iocpsim::protocol {
namespace {

using testing::golden_frames;
using testing::GoldenFrame;

TEST(EncoderTest, EncodesEveryGoldenFrameByteForByte) {
  for (const GoldenFrame& g : golden_frames()) {
    std::vector<std::uint8_t> out(g.bytes.size());
    const EncodeResult r = encode(g.message, g.seq, out, g.flags);
    ASSERT_TRUE(r) << g.name << ": " << to_string(r.error);
    EXPECT_EQ(r.size, g.bytes.size()) << g.name;
    EXPECT_EQ(out, g.bytes) << g.name;
    EXPECT_EQ(frame_size(g.message), g.bytes.size()) << g.name;
    EXPECT_EQ(payload_size(g.message), g.bytes.size() - kFrameOverhead) << g.name;
  }
}

TEST(EncoderTest, ABufferOneByteShortReportsTheSizeNeededAndWritesNothing) {
  for (const GoldenFrame& g : golden_frames()) {
    std::vector<std::uint8_t> out(g.bytes.size() - 1, 0xCC);
    const EncodeResult r = encode(g.message, g.seq, out, g.flags);
    EXPECT_EQ(r.error, EncodeError::buffer_too_small) << g.name;
    EXPECT_EQ(r.size, g.bytes.size()) << g.name;
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0xCC; })) << g.name;
  }
}

TEST(EncoderTest, AnEmptyBufferIsTooSmall) {
  const EncodeResult r = encode(Heartbeat{1}, 0, {});
  EXPECT_EQ(r.error, EncodeError::buffer_too_small);
  EXPECT_EQ(r.size, kFrameOverhead + 8);
  EXPECT_FALSE(r);
}

TEST(EncoderTest, AStringLongerThanItsLengthPrefixIsRefused) {
  const std::string text(65536, 'x');
  std::vector<std::uint8_t> out(200000);
  const EncodeResult r = encode(Event{1, Severity::info, 0, 0, text}, 0, out, 0, out.size());
  EXPECT_EQ(r.error, EncodeError::field_too_long);
}

TEST(EncoderTest, ByteFieldsOfTheLargestLengthAreEncodedAndOneMoreIsRefused) {
  std::vector<std::uint8_t> data(65536, 0x5A);
  std::vector<std::uint8_t> out(200000);
  const Bytes longest(data.data(), 65535);
  const EncodeResult ok = encode(Command{1, 2, longest}, 0, out, 0, out.size());
  ASSERT_TRUE(ok) << to_string(ok.error);
  EXPECT_EQ(ok.size, kFrameOverhead + 4 + 2 + 2 + 65535);
  EXPECT_EQ(out[kHeaderSize + 6], 0xFF);  // the length prefix, little-endian
  EXPECT_EQ(out[kHeaderSize + 7], 0xFF);
  EXPECT_EQ(encode(Command{1, 2, data}, 0, out, 0, out.size()).error, EncodeError::field_too_long);
}

TEST(EncoderTest, AFrameOverTheMaximumIsRefusedWithItsSize) {
  std::vector<std::uint8_t> samples(65535);
  std::vector<std::uint8_t> out(70000);
  const Telemetry t{1, 1, 1, samples};
  const EncodeResult r = encode(t, 0, out);  // default maximum: 64 KiB
  EXPECT_EQ(r.error, EncodeError::frame_too_large);
  EXPECT_EQ(r.size, kFrameOverhead + 14 + 2 + 65535);
  EXPECT_TRUE(encode(t, 0, out, 0, r.size));
  EXPECT_EQ(encode(t, 0, out, 0, r.size - 1).error, EncodeError::frame_too_large);
}

TEST(EncoderTest, AMaximumBelowTheFloorCountsAsTheFloor) {
  std::vector<std::uint8_t> samples(kFrameMaxBytesMin - kFrameOverhead - 16);
  std::vector<std::uint8_t> out(kFrameMaxBytesMin);
  EXPECT_TRUE(encode(Telemetry{1, 1, 1, samples}, 0, out, 0, 1));
  samples.push_back(0);
  EXPECT_EQ(encode(Telemetry{1, 1, 1, samples}, 0, out, 0, 1).error, EncodeError::frame_too_large);
}

TEST(EncoderTest, SeqAndFlagsAreWrittenAsGiven) {
  std::vector<std::uint8_t> out(64);
  ASSERT_TRUE(encode(Heartbeat{7}, 0xA1B2C3D4u, out, 0x8001));
  EXPECT_EQ(out[4], 0x01);
  EXPECT_EQ(out[5], 0x80);
  EXPECT_EQ(out[8], 0xD4);
  EXPECT_EQ(out[11], 0xA1);
}

TEST(EncoderTest, ErrorsHaveNames) {
  EXPECT_STREQ(to_string(EncodeError::none), "none");
  EXPECT_STREQ(to_string(EncodeError::buffer_too_small), "buffer_too_small");
  EXPECT_STREQ(to_string(EncodeError::field_too_long), "field_too_long");
  EXPECT_STREQ(to_string(EncodeError::frame_too_large), "frame_too_large");
}

}  // namespace
}  // namespace iocpsim::protocol
