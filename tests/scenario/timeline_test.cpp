// The text timeline: one aligned line per entry, faults marked, the newest lines kept.
#include <gtest/gtest.h>

#include "iocpsim/scenario/timeline.hpp"

namespace iocpsim::scenario {
namespace {

Timeline timeline_with_a_fault() {
  Timeline t;
  t.scenario = "s";
  t.entries.push_back({1500, TimelineEntry::Source::engine, "a", "session_ready", "version=1"});
  TimelineEntry fault{2250, TimelineEntry::Source::shim, "a", "WSARecv", "h=0x100 -> ret=-1"};
  fault.fault = true;
  t.entries.push_back(fault);
  t.entries.push_back({3000, TimelineEntry::Source::runner, "", "shutdown", "engine shutdown begins"});
  return t;
}

TEST(Timeline, SourcesHaveShortNames) {
  EXPECT_STREQ(to_string(TimelineEntry::Source::engine), "engine");
  EXPECT_STREQ(to_string(TimelineEntry::Source::shim), "shim");
  EXPECT_STREQ(to_string(TimelineEntry::Source::device), "device");
  EXPECT_STREQ(to_string(TimelineEntry::Source::runner), "runner");
}

TEST(Timeline, TextHasOneAlignedLinePerEntryAndMarksFaults) {
  EXPECT_EQ(timeline_with_a_fault().to_text(),
            "    +1.500 ms  a            engine  session_ready          version=1\n"
            "    +2.250 ms  a            shim    WSARecv                h=0x100 -> ret=-1  <<< FAULT\n"
            "    +3.000 ms  -            runner  shutdown               engine shutdown begins\n");
}

TEST(Timeline, TextKeepsTheNewestLinesAndSaysHowManyWereLeftOut) {
  EXPECT_EQ(timeline_with_a_fault().to_text(1),
            "  ... 2 earlier entries left out\n"
            "    +3.000 ms  -            runner  shutdown               engine shutdown begins\n");
}

}  // namespace
}  // namespace iocpsim::scenario
