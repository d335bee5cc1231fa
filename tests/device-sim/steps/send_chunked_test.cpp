#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;
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

// PROTOCOL.md §1: nothing goes between the chunks of a split frame. The telemetry that came due
// during the gaps follows the last chunk, in order; a reply to a command sent meanwhile too.
TEST(SendChunkedStepTest, TheDevicesOwnFramesWaitUntilTheLastChunkHasGone) {
  DeviceHarness h(R"({"telemetry": {"rate_hz": 50},
                      "commands": [{"opcode": 1, "echo": true}],
                      "script": [{"step": "expect", "message": {"type": "hello"}},
                                 {"step": "send_chunked", "message": {"type": "event", "code": 7, "text": "split"},
                                  "chunks": [1, 2, 5], "delay_ms": 100}]})");
  testing::handshake(h);
  const std::size_t before = h.chunks.size();
  h.host_sends(pr::Command{42, 1, {}});
  h.run_for_ms(250);
  EXPECT_EQ(h.chunks.size(), before + 2) << "two more chunks of the event and nothing else";
  h.run_for_ms(100);  // the last chunk, then what waited
  ASSERT_EQ(h.decode_error, pr::DecodeError::none) << "a frame went between the chunks";
  EXPECT_EQ(h.next_frame()["type"], "event");
  std::vector<std::uint32_t> samples;
  int responses = 0;
  while (!h.frames.empty()) {
    const nlohmann::json f = h.next_frame();
    if (f["type"] == "telemetry") samples.push_back(f["channel_seq"]);
    if (f["type"] == "response") ++responses;
  }
  EXPECT_EQ(responses, 1);
  ASSERT_GE(samples.size(), 15u);  // 350 ms at 50 Hz
  for (std::size_t i = 0; i < samples.size(); ++i) EXPECT_EQ(samples[i], i);
}

}  // namespace
}  // namespace iocpsim::devsim
