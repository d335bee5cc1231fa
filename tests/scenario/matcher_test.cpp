// Matchers: literals, bounds, sets, "not" and "exists", and how they describe themselves.
#include <gtest/gtest.h>

#include "iocpsim/scenario/scenario.hpp"

namespace iocpsim::scenario {
namespace {

using nlohmann::json;

TEST(Matcher, ALiteralMatchesEqualValuesAndNumbersAcrossTypes) {
  Matcher m;
  m.equals = 3;
  const json three_double = 3.0;
  const json four = 4;
  EXPECT_TRUE(m.matches(&three_double));
  EXPECT_FALSE(m.matches(&four));
  EXPECT_FALSE(m.matches(nullptr));
  EXPECT_EQ(m.describe(), "= 3");
}

TEST(Matcher, BoundsAreInclusiveAndNeedANumber) {
  Matcher m;
  m.min = 2;
  m.max = 4.5;
  const json two = 2, five = 5, text = "3";
  EXPECT_TRUE(m.matches(&two));
  EXPECT_FALSE(m.matches(&five));
  EXPECT_FALSE(m.matches(&text));
  EXPECT_EQ(m.describe(), ">= 2 and <= 4.5");
}

TEST(Matcher, InNotAndExists) {
  Matcher in;
  in.in = std::vector<json>{"R5", "R5b"};
  const json r5b = "R5b", r4 = "R4";
  EXPECT_TRUE(in.matches(&r5b));
  EXPECT_FALSE(in.matches(&r4));
  Matcher differs;
  differs.differs_from = "R4";
  EXPECT_FALSE(differs.matches(&r4));
  EXPECT_TRUE(differs.matches(&r5b));
  Matcher absent;
  absent.exists = false;
  EXPECT_TRUE(absent.matches(nullptr));
  EXPECT_FALSE(absent.matches(&r4));
  EXPECT_EQ(absent.describe(), "absent");
}

TEST(EventMatcher, DescribesItselfWithDeviceFieldsAndPhase) {
  EventMatcher m;
  m.event = "socket_closed";
  m.device = "";
  m.phase = "run";
  EXPECT_EQ(m.describe(), "`socket_closed` (engine-wide) before shutdown");
}

}  // namespace
}  // namespace iocpsim::scenario
