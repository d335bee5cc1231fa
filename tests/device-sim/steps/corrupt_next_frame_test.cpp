#include <gtest/gtest.h>

#include "../device_harness.hpp"
#include "iocpsim/devsim/frame_edit.hpp"

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;
using testing::DeviceHarness;
using testing::with_script;

DeviceHarness& start_and_connect(DeviceHarness& h) {
  h.start();
  h.connect();
  return h;
}

std::string script_for(const std::string& what) {
  return with_script(R"([{"step": "corrupt_next_frame", "what": ")" + what +
                     R"("}, {"step": "send", "message": {"type": "heartbeat"}}])");
}

TEST(CorruptNextFrameStepTest, BreaksTheCrcOfTheNextFrame) {
  DeviceHarness h(script_for("crc"));
  start_and_connect(h);
  EXPECT_EQ(h.decode_error, pr::DecodeError::crc_mismatch);
  EXPECT_EQ(h.device().record().sent.back().fault, "crc");
}

TEST(CorruptNextFrameStepTest, BreaksTheMagicOfTheNextFrame) {
  DeviceHarness h(script_for("magic"));
  start_and_connect(h);
  EXPECT_EQ(h.decode_error, pr::DecodeError::bad_magic);
}

TEST(CorruptNextFrameStepTest, LengthensTheLengthOfTheNextFrame) {
  DeviceHarness h(script_for("length"));
  start_and_connect(h);
  EXPECT_EQ(read_payload_len(h.wire), 9u);  // a heartbeat's payload is 8 bytes
  EXPECT_TRUE(h.frames.empty());            // the receiver waits for a byte that never comes
  EXPECT_EQ(h.decode_error, pr::DecodeError::none);
}

TEST(CorruptNextFrameStepTest, DamagesOnlyOneFrameEvenIfTheModelSendsIt) {
  DeviceHarness h(with_script(R"([{"step": "corrupt_next_frame"}])"));
  h.start();
  h.connect();
  h.host_sends(pr::Hello{1, 1, 0, "h"});  // the HELLO_ACK takes the fault
  EXPECT_EQ(h.decode_error, pr::DecodeError::crc_mismatch);
  h.host_sends(pr::Heartbeat{1});
  EXPECT_EQ(h.device().record().sent.back().fault, "");
}

}  // namespace
}  // namespace iocpsim::devsim
