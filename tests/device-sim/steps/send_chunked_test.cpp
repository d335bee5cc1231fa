#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(SendChunkedStepTest, SplitsTheFrameIntoTheListedChunksWithDelays) {
  DeviceHarness h(with_script(
      R"([{"step": "send_chunked", "message": {"type": "heartbeat", "nonce": 5}, "chunks": [1, 3, 12], "delay_ms": 20}])"));
  h.start();
  h.connect();
  ASSERT_EQ(h.chunks.size(), 1u);
  EXPECT_EQ(h.chunks[0].size(), 1u);
  h.advance_ms(19);
  EXPECT_EQ(h.chunks.size(), 1u);
  h.advance_ms(1);
  ASSERT_EQ(h.chunks.size(), 2u);
  EXPECT_EQ(h.chunks[1].size(), 3u);
  h.advance_ms(20);
  h.advance_ms(20);
  ASSERT_EQ(h.chunks.size(), 4u);  // 1 + 3 + 12, then the 12-byte remainder (a heartbeat frame is 28 bytes)
  EXPECT_EQ(h.chunks[2].size(), 12u);
  EXPECT_EQ(h.chunks[3].size(), 12u);
  EXPECT_EQ(h.next_frame()["nonce"], 5);  // the pieces make one intact frame
  EXPECT_TRUE(h.device().script_done());
}

TEST(SendChunkedStepTest, SplitsRawHexToo) {
  DeviceHarness h(with_script(R"([{"step": "send_chunked", "hex": "0102030405", "chunks": [2, 10]}])"));
  h.start();
  h.connect();
  ASSERT_EQ(h.chunks.size(), 2u);
  EXPECT_EQ(h.chunks[0], (std::vector<std::uint8_t>{1, 2}));
  EXPECT_EQ(h.chunks[1], (std::vector<std::uint8_t>{3, 4, 5}));
}

}  // namespace
}  // namespace iocpsim::devsim
