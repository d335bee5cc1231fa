#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(StreamTelemetryStepTest, SendsCountSamplesPacedByTheInterval) {
  DeviceHarness h(with_script(
      R"([{"step": "stream_telemetry", "count": 3, "channel": 2, "interval_ms": 100, "sample_bytes": 2}])"));
  testing::handshake(h);
  EXPECT_EQ(h.frames.size(), 1u);  // the first at once
  h.advance_ms(99);
  EXPECT_EQ(h.frames.size(), 1u);
  h.advance_ms(1);
  EXPECT_EQ(h.frames.size(), 2u);
  h.advance_ms(100);
  ASSERT_EQ(h.frames.size(), 3u);
  for (std::uint32_t seq = 0; seq < 3; ++seq) {
    const auto t = h.next_frame();
    EXPECT_EQ(t["channel"], 2);
    EXPECT_EQ(t["channel_seq"], seq);
    EXPECT_EQ(t["samples"].get<std::string>().size(), 4u);
  }
  EXPECT_TRUE(h.device().script_done());
}

TEST(StreamTelemetryStepTest, ContinuesTheChannelSequenceOfEarlierSamples) {
  DeviceHarness h(with_script(R"([{"step": "stream_telemetry", "count": 2},
                                   {"step": "stream_telemetry", "count": 2}])"));
  testing::handshake(h);
  EXPECT_EQ(h.device().record().telemetry_seqs(0), (std::vector<std::uint32_t>{0, 1, 2, 3}));
}

TEST(StreamTelemetryStepTest, DrawsTheSamplesFromTheSeed) {
  const auto script = with_script(R"([{"step": "stream_telemetry", "count": 1, "sample_bytes": 32}])");
  DeviceHarness a(script, 42);
  DeviceHarness b(script, 42);
  DeviceHarness c(script, 43);
  for (auto* h : {&a, &b, &c}) testing::handshake(*h);
  const auto sa = a.next_frame()["samples"];
  EXPECT_EQ(sa, b.next_frame()["samples"]);
  EXPECT_NE(sa, c.next_frame()["samples"]);
}

TEST(StreamTelemetryStepTest, WaitsWhileTheSendQueueIsFullAndGoesOnWithTheNextSequenceNumber) {
  const auto frame = telemetry_frame_size(16);
  DeviceHarness h(R"({"send_queue": {"max_bytes": )" + std::to_string(3 * frame) + R"(, "low_water_bytes": )" +
                  std::to_string(frame) + R"(}, "script": [{"step": "stream_telemetry", "count": 10}]})");
  h.start();
  h.connect();
  EXPECT_EQ(h.device().record().telemetry_seqs(0), (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_FALSE(h.device().script_done());
  for (int round = 0; round < 10 && !h.device().script_done(); ++round) h.transport_writes_all();
  EXPECT_TRUE(h.device().script_done());
  EXPECT_EQ(h.device().record().telemetry_seqs(0), (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(h.device().record().send_queue_peak_bytes,
            3 * frame);  // full, never past it
  EXPECT_EQ(h.device().record().send_backpressure,
            3u);  // at the 4th, 7th and 10th sample
}

}  // namespace
}  // namespace iocpsim::devsim
