#include "iocpsim/engine/event_log.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
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

std::vector<nlohmann::json> parsed_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(EventLogTest, TheBufferedSinkWritesEveryLineFromEveryThreadByTheFlush) {
  std::ostringstream out;
  EventLog log;
  auto sink = std::make_shared<BufferedJsonLinesSink>(out, /*buffer_max_bytes=*/4096);
  log.add_sink(sink);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log, t] {
      std::string device = "d";
      device += std::to_string(t);
      for (int i = 0; i < 500; ++i) log.emit({i, "telemetry_gap", device, {{"got", i}}});
    });
  }
  for (auto& t : threads) t.join();
  sink->flush();
  const auto lines = parsed_lines(out.str());
  ASSERT_EQ(lines.size(), 2000u);
  std::map<std::string, int> next;  // each thread's lines stay in its order
  for (const auto& j : lines) EXPECT_EQ(j["got"], next[j["device"]]++);
}

TEST(EventLogTest, TheBufferedSinkHasTheLastEventOnTheStreamWhenWriteReturns) {
  std::ostringstream out;
  BufferedJsonLinesSink sink(out);
  sink.write({1, "peer_closed", "d", {}});
  sink.write({2, "shutdown_drained", "", {{"leaked_op_contexts", 0}}});
  const auto lines = parsed_lines(out.str());  // no flush(): shutdown_drained is flushed at once
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1]["event"], "shutdown_drained");
}

TEST(EventLogTest, TheBufferedSinkRotatesItsFileAndKeepsTheNewestFiles) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / "event_log_rotation";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "events.jsonl").string();
  std::string error;
  auto sink = BufferedJsonLinesSink::open_file({path, /*max_bytes=*/1000, /*keep=*/2}, &error);
  ASSERT_NE(sink, nullptr) << error;
  for (int i = 0; i < 200; ++i) sink->write({i, "telemetry_gap", "d", {{"got", i}}});
  sink.reset();  // flushes
  EXPECT_TRUE(fs::exists(path));
  EXPECT_TRUE(fs::exists(path + ".1"));
  EXPECT_TRUE(fs::exists(path + ".2"));
  EXPECT_FALSE(fs::exists(path + ".3"));
  int last = -1;
  for (const std::string& p : {path + ".2", path + ".1", path}) {
    EXPECT_LE(fs::file_size(p), 1000u) << p;
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);) {
      const int got = nlohmann::json::parse(line)["got"];
      if (last >= 0) {
        EXPECT_EQ(got, last + 1);  // whole lines, in order, across the files
      }
      last = got;
    }
  }
  EXPECT_EQ(last, 199);
  fs::remove_all(dir);
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
