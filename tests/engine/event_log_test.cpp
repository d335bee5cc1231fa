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

TEST(EventLogTest, Utf8IsCheckedAsUnicodeDefinesIt) {
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("plain"));
  EXPECT_TRUE(is_utf8("\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(is_utf8("\xFF"));
  EXPECT_FALSE(is_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_utf8("\xE0\x80\xAF"));      // overlong, three bytes
  EXPECT_FALSE(is_utf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(is_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_utf8("\xE2\x82"));          // cut short
  EXPECT_FALSE(is_utf8("\x80"));              // a continuation byte alone
}

TEST(EventLogTest, ADeviceStringThatIsNotUtf8IsReplacedAndKeptInHex) {
  nlohmann::json fields = nlohmann::json::object();
  put_device_text(fields, "text", "ok");
  EXPECT_EQ(fields, (nlohmann::json{{"text", "ok"}}));
  put_device_text(fields, "text", std::string_view("a\xFF\xE2\x82\xAC\xE2\x82", 7));
  EXPECT_EQ(fields["text"], "a\xEF\xBF\xBD\xE2\x82\xAC\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(fields["text_utf8"], false);
  EXPECT_EQ(fields["text_hex"], "61ffe282ace282");
  EXPECT_NO_THROW((void)fields.dump());
}

TEST(EventLogTest, TheJsonLinesSinkWritesABadStringWithoutThrowing) {
  std::ostringstream out;
  EventLog log;
  log.add_sink(std::make_shared<JsonLinesSink>(out));
  EXPECT_NO_THROW(log.emit({1, "peer_bye", "d", {{"text", "bad \xFF"}}}));
  EXPECT_EQ(nlohmann::json::parse(out.str())["text"], "bad \xEF\xBF\xBD");
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
