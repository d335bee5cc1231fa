#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::with_script;

TEST(ResetStepTest, AsksForAnAbortiveClose) {
  DeviceHarness h(with_script(R"([{"step": "reset"}])"));
  h.start();
  h.connect();
  EXPECT_EQ(h.ops, std::vector<ConnectionOp>{ConnectionOp::reset});
  EXPECT_FALSE(h.device().is_connected());
}

}  // namespace
}  // namespace iocpsim::devsim
