#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;
using testing::DeviceHarness;
using testing::with_script;

TEST(DripStepTest, SendsOneByteEveryInterval) {
  DeviceHarness h(
      with_script(R"([{"step": "drip", "message": {"type": "heartbeat", "nonce": 1}, "interval_ms": 50}])"));
  h.start();
  h.connect();
  EXPECT_EQ(h.wire.size(), 1u);
  for (std::size_t sent = 2; sent <= 28; ++sent) {
    h.advance_ms(49);
    EXPECT_EQ(h.wire.size(), sent - 1);
    h.advance_ms(1);
    EXPECT_EQ(h.wire.size(), sent);
  }
  for (const auto& chunk : h.chunks) EXPECT_EQ(chunk.size(), 1u);
  EXPECT_EQ(h.next_frame()["nonce"], 1);
  EXPECT_TRUE(h.device().script_done());
}

// PROTOCOL.md §1: frames go back to back. Telemetry that comes due and a heartbeat's answer wait
// for the dripped frame's last byte, then follow it in order, none lost.
TEST(DripStepTest, TheDevicesOwnFramesWaitUntilTheLastByteHasGone) {
  DeviceHarness h(R"({"telemetry": {"rate_hz": 100},
                      "script": [{"step": "expect", "message": {"type": "hello"}},
                                 {"step": "drip", "message": {"type": "event", "code": 4}, "interval_ms": 10}]})");
  testing::handshake(h);
  h.host_sends(pr::Heartbeat{7});
  h.run_for_ms(100);
  EXPECT_TRUE(h.frames.empty()) << "nothing whole yet: the event is still dripping";
  h.run_for_ms(900);
  ASSERT_EQ(h.decode_error, pr::DecodeError::none) << "a frame went between the dripped bytes";
  ASSERT_TRUE(h.device().script_done());
  EXPECT_EQ(h.next_frame()["type"], "event");
  std::vector<std::uint32_t> samples;
  int acks = 0;
  while (!h.frames.empty()) {
    const nlohmann::json f = h.next_frame();
    if (f["type"] == "telemetry") samples.push_back(f["channel_seq"]);
    if (f["type"] == "heartbeat_ack") ++acks;
  }
  EXPECT_EQ(acks, 1);
  ASSERT_GT(samples.size(), 50u);  // about 1 s at 100 Hz
  for (std::size_t i = 0; i < samples.size(); ++i) EXPECT_EQ(samples[i], i) << "telemetry held in order";
}

}  // namespace
}  // namespace iocpsim::devsim
