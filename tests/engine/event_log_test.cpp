#include "iocpsim/engine/event_log.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

namespace iocpsim::engine {
namespace {

TEST(EventLogTest, JsonLinesCarryVersionTimeNameDeviceAndFields) {
  std::ostringstream out;
  EventLog log;
  log.add_sink(std::make_shared<JsonLinesSink>(out));
  log.emit({42, "peer_closed", "d1", {{"row", "R4"}}});
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["v"], kEventLogVersion);
  EXPECT_EQ(j["t_ms"], 42);
  EXPECT_EQ(j["event"], "peer_closed");
  EXPECT_EQ(j["device"], "d1");
  EXPECT_EQ(j["row"], "R4");
  EXPECT_EQ(out.str().back(), '\n');
}

TEST(EventLogTest, EngineWideEventsHaveNoDeviceField) {
  std::ostringstream out;
  EventLog log;
  log.add_sink(std::make_shared<JsonLinesSink>(out));
  log.emit({1, "engine_started", "", {}});
  EXPECT_FALSE(nlohmann::json::parse(out.str()).contains("device"));
}

TEST(EventLogTest, CountersCountEachNamePerDevice) {
  EventLog log;
  log.emit({1, "late_reply", "a", {}});
  log.emit({2, "late_reply", "a", {}});
  log.emit({3, "late_reply", "b", {}});
  EXPECT_EQ(log.counter("a", "late_reply"), 2u);
  EXPECT_EQ(log.counter("b", "late_reply"), 1u);
  EXPECT_EQ(log.counter("c", "late_reply"), 0u);
  EXPECT_EQ(log.counters().size(), 2u);
}

TEST(EventLogTest, MemorySinkWakesAWaiterWhenTheEventArrivesFromAnotherThread) {
  EventLog log;
  auto sink = std::make_shared<MemorySink>();
  log.add_sink(sink);
  std::thread t([&] {
    log.emit({1, "other", "d", {}});
    log.emit({2, "session_ready", "d", {}});
  });
  EXPECT_TRUE(sink->wait_for("session_ready", "d"));
  t.join();
  EXPECT_EQ(sink->names_for("d"), (std::vector<std::string>{"other", "session_ready"}));
}

TEST(EventLogTest, MemorySinkWaitGivesUpAtItsCeiling) {
  MemorySink sink;
  EXPECT_FALSE(sink.wait_for("never", "", 1, 1));
  EXPECT_EQ(sink.count("never"), 0u);
}

}  // namespace
}  // namespace iocpsim::engine
