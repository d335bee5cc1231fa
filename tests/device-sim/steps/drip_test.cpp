#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

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

}  // namespace
}  // namespace iocpsim::devsim
