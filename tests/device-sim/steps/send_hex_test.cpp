#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(SendHexStepTest, SendsTheBytesExactlyAsWritten) {
  DeviceHarness h(with_script(R"([{"step": "send_hex", "hex": "a5 5a:01_03 ff"}])"));
  h.start();
  h.connect();
  EXPECT_EQ(h.wire, (std::vector<std::uint8_t>{0xA5, 0x5A, 0x01, 0x03, 0xFF}));
  EXPECT_EQ(h.device().record().bytes_queued, 5u);
}

}  // namespace
}  // namespace iocpsim::devsim
