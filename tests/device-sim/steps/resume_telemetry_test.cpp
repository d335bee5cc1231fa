#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;

TEST(ResumeTelemetryStepTest, RestartsTheStreamWhereTheSequenceStopped) {
  DeviceHarness h(R"({"telemetry": {"rate_hz": 10},
                      "script": [{"step": "wait", "ms": 200}, {"step": "pause_telemetry"},
                                 {"step": "wait", "ms": 1000}, {"step": "resume_telemetry"}]})");
  testing::handshake(h);
  h.run_for_ms(1200);
  EXPECT_EQ(h.frames.size(), 2u);
  h.run_for_ms(200);
  EXPECT_EQ(h.device().record().telemetry_seqs(0), (std::vector<std::uint32_t>{0, 1, 2, 3}));
}

}  // namespace
}  // namespace iocpsim::devsim
