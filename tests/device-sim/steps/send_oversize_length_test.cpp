#include <gtest/gtest.h>

#include "../device_harness.hpp"
#include "iocpsim/devsim/frame_edit.hpp"

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;
using testing::DeviceHarness;
using testing::with_script;

TEST(SendOversizeLengthStepTest, SendsAHeaderAReceiverRejectsAsTooLarge) {
  DeviceHarness h(with_script(R"([{"step": "send_oversize_length", "payload_len": 4294967295}])"));
  h.start();
  h.connect();
  ASSERT_EQ(h.wire.size(), pr::kHeaderSize);
  EXPECT_EQ(read_payload_len(h.wire), 0xFFFFFFFFu);
  EXPECT_EQ(h.decode_error, pr::DecodeError::frame_too_large);
  EXPECT_EQ(h.device().record().sent.back().fault, "oversize_length");
}

}  // namespace
}  // namespace iocpsim::devsim
