#include "iocpsim/devsim/frame_edit.hpp"

#include <gtest/gtest.h>

#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;

std::vector<std::uint8_t> heartbeat_frame() {
  std::vector<std::uint8_t> out(64);
  const auto r = pr::encode(pr::Heartbeat{1}, 3, out);
  out.resize(r.size);
  return out;
}

pr::DecodeResult decode(const std::vector<std::uint8_t>& bytes) {
  pr::Decoder decoder;
  return decoder.put(bytes);
}

TEST(FrameEditTest, ReadsAndWritesTheEncodersPayloadLength) {
  auto frame = heartbeat_frame();
  EXPECT_EQ(read_payload_len(frame), 8u);
  write_payload_len(frame, 0x01020304);
  EXPECT_EQ(read_payload_len(frame), 0x01020304u);
}

TEST(FrameEditTest, FlippingTheCrcMakesTheDecoderReportAMismatch) {
  auto frame = heartbeat_frame();
  flip_crc(frame);
  EXPECT_EQ(decode(frame).error, pr::DecodeError::crc_mismatch);
}

TEST(FrameEditTest, BreakingTheMagicMakesTheDecoderReportBadMagic) {
  auto frame = heartbeat_frame();
  break_magic(frame);
  EXPECT_EQ(decode(frame).error, pr::DecodeError::bad_magic);
}

TEST(FrameEditTest, BuildsAHeaderTheDecoderAcceptsUpToItsLength) {
  const auto header = header_only(pr::MessageType::heartbeat, 5, 8);
  const auto r = decode(header);
  EXPECT_EQ(r.status, pr::DecodeStatus::need_more);
  EXPECT_EQ(r.consumed, pr::kHeaderSize);
}

}  // namespace
}  // namespace iocpsim::devsim
