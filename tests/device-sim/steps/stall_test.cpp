#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;
using testing::DeviceHarness;
using testing::with_script;

TEST(StallStepTest, NeitherReadsNorWritesForTheDuration) {
  DeviceHarness h(R"({"telemetry": {"rate_hz": 100},
                      "script": [{"step": "expect", "message": {"type": "hello"}},
                                 {"step": "stall", "for_ms": 1000}]})");
  testing::handshake(h);
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::pause_reading});
  // A heartbeat the transport had already read before it stopped: its answer is held too.
  h.host_sends(pr::Heartbeat{3});
  h.run_for_ms(999);
  EXPECT_TRUE(h.frames.empty());
  h.run_for_ms(1);
  EXPECT_EQ(h.ops.back(), ConnectionOp::resume_reading);
  EXPECT_EQ(h.next_frame()["type"], "heartbeat_ack");
  EXPECT_TRUE(h.frames.empty());  // the samples the stall swallowed are not sent late
  h.run_for_ms(10);
  EXPECT_EQ(h.next_frame()["channel_seq"], 0);
}

TEST(StallStepTest, LeavesReadingStoppedIfItWasStoppedBefore) {
  DeviceHarness h(with_script(R"([{"step": "stop_reading"}, {"step": "stall", "for_ms": 5}])"));
  h.start();
  h.connect();
  h.advance_ms(5);
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::pause_reading});
  EXPECT_TRUE(h.device().script_done());
}

}  // namespace
}  // namespace iocpsim::devsim
