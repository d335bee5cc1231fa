#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

std::vector<std::uint8_t> garbage(std::uint64_t seed) {
  DeviceHarness h(with_script(R"([{"step": "send_garbage", "bytes": 64}])"), seed);
  h.start();
  h.connect();
  return h.wire;
}

TEST(SendGarbageStepTest, SendsTheSameBytesForTheSameSeed) {
  EXPECT_EQ(garbage(7).size(), 64u);
  EXPECT_EQ(garbage(7), garbage(7));
  EXPECT_NE(garbage(7), garbage(8));
}

}  // namespace
}  // namespace iocpsim::devsim
