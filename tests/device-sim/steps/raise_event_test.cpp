#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(RaiseEventStepTest, NumbersEventsAndStampsThemWithDeviceTime) {
  DeviceHarness h(with_script(R"([{"step": "raise_event", "severity": "critical", "code": 17, "text": "door"},
                                   {"step": "wait", "ms": 5},
                                   {"step": "raise_event"}])"));
  testing::handshake(h);
  h.advance_ms(5);
  const auto first = h.next_frame();
  EXPECT_EQ(first["event_id"], 1);
  EXPECT_EQ(first["severity"], "critical");
  EXPECT_EQ(first["code"], 17);
  EXPECT_EQ(first["text"], "door");
  EXPECT_EQ(first["timestamp_us"], 0);
  const auto second = h.next_frame();
  EXPECT_EQ(second["event_id"], 2);
  EXPECT_EQ(second["severity"], "info");
  EXPECT_EQ(second["timestamp_us"], 5000);
}

}  // namespace
}  // namespace iocpsim::devsim
