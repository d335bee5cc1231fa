#include <gtest/gtest.h>

#include "../device_harness.hpp"

namespace iocpsim::devsim {
namespace {

using testing::DeviceHarness;
using testing::script_error;
using testing::with_script;

TEST(RefuseConnectionsStepTest, RefusesForTheDurationThenAcceptsAgain) {
  DeviceHarness h(with_script(
      R"([{"step": "refuse_connections", "for_ms": 2000}, {"step": "send", "message": {"type": "heartbeat"}}])"));
  h.start();
  EXPECT_EQ(h.device().listen_mode(), ListenMode::refusing);
  h.advance_ms(1999);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::refusing);
  h.advance_ms(1);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::accepting);
}

TEST(RefuseConnectionsStepTest, RefusesUntilAcceptConnectionsWithoutADuration) {
  DeviceHarness h(with_script(R"([{"step": "refuse_connections"}, {"step": "wait", "ms": 100}])"));
  h.start();
  h.advance_ms(100);
  EXPECT_TRUE(h.device().script_done());
  EXPECT_EQ(h.device().listen_mode(), ListenMode::refusing);
}

TEST(RefuseConnectionsStepTest, RefusesExactlyCountAttemptsThenAccepts) {
  if (const auto why = refusal_counting_unavailable()) GTEST_SKIP() << *why;
  DeviceHarness h(with_script(R"([{"step": "refuse_connections", "count": 2}, {"step": "wait", "ms": 1}])"));
  h.start();
  EXPECT_EQ(h.device().listen_mode(), ListenMode::refusing);
  EXPECT_TRUE(h.device().counts_refusals());
  h.advance_ms(60000);  // time alone does not end it
  EXPECT_EQ(h.device().listen_mode(), ListenMode::refusing);
  h.device().on_refused_attempts(1);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::refusing);
  h.device().on_refused_attempts(1);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::accepting);
  EXPECT_FALSE(h.device().counts_refusals());
  h.advance_ms(1);
  EXPECT_TRUE(h.device().script_done());
  EXPECT_FALSE(h.device().script_failed()) << h.device().failure();
  EXPECT_FALSE(h.logged("connection_refused_past_count"));
}

TEST(RefuseConnectionsStepTest, LogsAnAttemptSeenTogetherWithTheLastCountedOneAsRefusedPastTheCount) {
  if (const auto why = refusal_counting_unavailable()) GTEST_SKIP() << *why;
  DeviceHarness h(with_script(R"([{"step": "refuse_connections", "count": 1}])"));
  h.start();
  h.device().on_refused_attempts(2);
  EXPECT_EQ(h.device().listen_mode(), ListenMode::accepting);
  EXPECT_TRUE(h.logged("connection_refused_past_count"));
}

TEST(RefuseConnectionsStepTest, FailsWhenTheTransportCannotCount) {
  if (const auto why = refusal_counting_unavailable()) GTEST_SKIP() << *why;
  DeviceHarness h(with_script(R"([{"step": "refuse_connections", "count": 1}])"));
  h.start();
  h.device().on_refusal_counting_failed("no raw socket for IPv6");
  EXPECT_TRUE(h.device().script_failed());
  EXPECT_NE(h.device().failure().find("script[0] (refuse_connections): no raw socket for IPv6"), std::string::npos)
      << h.device().failure();
}

TEST(RefuseConnectionsStepTest, CountAndForMsAreExclusiveAndCountIsPositive) {
  EXPECT_EQ(script_error(R"([{"step": "refuse_connections", "count": 2, "for_ms": 10}])").path(), "script[0].count");
  const auto zero = script_error(R"([{"step": "refuse_connections", "count": 0}])");
  EXPECT_EQ(zero.path(), "script[0].count");
  EXPECT_NE(std::string(zero.what()).find("at least 1"), std::string::npos) << zero.what();
}

TEST(RefuseConnectionsStepTest, CountIsRejectedAtItsPathWhereRefusedAttemptsCannotBeSeen) {
  const auto why = refusal_counting_unavailable();
  if (!why) GTEST_SKIP() << "this process can count refused attempts (a raw socket opened)";
  const auto e = script_error(R"([{"step": "wait", "ms": 1}, {"step": "refuse_connections", "count": 3}])");
  EXPECT_EQ(e.path(), "script[1].count");
  EXPECT_NE(std::string(e.what()).find("not supported here: " + *why), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("Use for_ms"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace iocpsim::devsim
