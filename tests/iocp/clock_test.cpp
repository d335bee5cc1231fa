// The injected clock and the run's seeded generator.
#include "iocpsim/iocp/clock.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace iocpsim::iocp {
namespace {

using std::chrono::microseconds;

TEST(ClockTest, ManualClockMovesOnlyWhenAdvanced) {
  ManualClock clock(microseconds{100});
  EXPECT_EQ(clock.now(), microseconds{100});
  EXPECT_EQ(clock.now(), microseconds{100});
  clock.advance(microseconds{250});
  EXPECT_EQ(clock.now(), microseconds{350});
}

TEST(ClockTest, SteadyClockNeverGoesBack) {
  SteadyClock clock;
  const microseconds first = clock.now();
  EXPECT_GE(clock.now(), first);
}

TEST(ClockTest, TheSameSeedGivesTheSameDrawsAndTheSeedIsKept) {
  SeededRandom a(7);
  SeededRandom b(7);
  SeededRandom c(8);
  EXPECT_EQ(a.seed(), 7u);
  std::vector<std::uint64_t> from_a;
  std::vector<std::uint64_t> from_b;
  std::vector<std::uint64_t> from_c;
  for (int i = 0; i < 16; ++i) {
    from_a.push_back(a.next_u64());
    from_b.push_back(b.next_u64());
    from_c.push_back(c.next_u64());
  }
  EXPECT_EQ(from_a, from_b);
  EXPECT_NE(from_a, from_c);
}

TEST(ClockTest, UnitDrawsLieInZeroToOne) {
  SeededRandom r(1);
  for (int i = 0; i < 1000; ++i) {
    const double u = r.next_unit();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

}  // namespace
}  // namespace iocpsim::iocp
