#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;

TEST(PauseTelemetryStepTest, StopsTheBackgroundStream) {
  DeviceHarness h(R"({"telemetry": {"rate_hz": 10},
                      "script": [{"step": "wait", "ms": 300}, {"step": "pause_telemetry"}]})");
  testing::handshake(h);
  h.run_for_ms(300);
  const auto sent = h.frames.size();
  EXPECT_EQ(sent, 3u);
  h.run_for_ms(1000);
  EXPECT_EQ(h.frames.size(), sent);
  EXPECT_FALSE(h.device().model_view().telemetry_streaming());
}

}  // namespace
}  // namespace iocpsim::devsim
