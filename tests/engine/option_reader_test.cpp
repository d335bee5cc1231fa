// The one reader of EngineOptions and DeviceConfig in files: every option by its name or an old
// one, every mistake of an object at once, each said as "<path>: expected <form>, got <value>".
#include "iocpsim/engine/option_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iocpsim::engine {
namespace {

using json_diag::JsonReader;
using json_diag::Problems;
using nlohmann::json;

struct Read {
  EngineOptions engine;
  DeviceConfig device;
  std::vector<std::string> problems;
};

Read read_engine(const std::string& text) {
  const json document = json::parse(text);
  Problems problems(document);
  JsonReader r(document, "host.engine");
  Read out;
  read_options(r, engine_option_table(), out.engine, problems);
  check_engine_options(r, out.engine, problems);
  for (const auto& e : r.unknown_keys()) problems.add(e);
  out.problems = problems.lines();
  return out;
}

Read read_device(const std::string& text, const EngineOptions& engine = {}) {
  const json document = json::parse(text);
  Problems problems(document);
  JsonReader r(document, "devices[0]");
  Read out;
  read_options(r, device_option_table(), out.device, problems);
  check_device_options(r, out.device, engine, problems);
  for (const auto& e : r.unknown_keys()) problems.add(e);
  out.problems = problems.lines();
  return out;
}

TEST(OptionReaderTest, EachOptionIsReadIntoItsMember) {
  const Read r = read_engine(R"({"workers": 4, "skip_completion_port_on_success": false, "host_id": "h",
                                 "frame_max_bytes": 4096, "event_burst_max": 3, "devices_max": 9})");
  ASSERT_EQ(r.problems, std::vector<std::string>{});
  EXPECT_EQ(r.engine.workers, 4u);
  EXPECT_EQ(r.engine.skip_completion_port_on_success, CompletionSkip::never);
  EXPECT_EQ(r.engine.host_id, "h");
  EXPECT_EQ(r.engine.frame_max_bytes, 4096u);
  EXPECT_EQ(r.engine.event_burst_max, 3u);
  EXPECT_EQ(r.engine.devices_max, 9u);
  const Read d =
      read_device(R"({"backoff_jitter": 0.5, "reconnect": false, "version_max": 2, "send_stall_timeout_ms": 0,
                                 "capabilities": 4294967295})");
  ASSERT_EQ(d.problems, std::vector<std::string>{});
  EXPECT_DOUBLE_EQ(d.device.backoff_jitter, 0.5);
  EXPECT_FALSE(d.device.reconnect);
  EXPECT_EQ(d.device.version_max, 2);
  EXPECT_EQ(d.device.send_stall_timeout_ms, 0u);
  EXPECT_EQ(d.device.capabilities, 4294967295u);
}

TEST(OptionReaderTest, AnOldNameIsReadLikeItsNewOneButNotBesideIt) {
  const Read r = read_device(R"({"send_queue_bytes_max": 4096, "min_version": 1, "max_version": 3})");
  ASSERT_EQ(r.problems, std::vector<std::string>{});
  EXPECT_EQ(r.device.send_queue_max_bytes, 4096u);
  EXPECT_EQ(r.device.version_max, 3);
  EXPECT_EQ(read_engine(R"({"max_frame_bytes": 1024})").engine.frame_max_bytes, 1024u);
  EXPECT_EQ(read_device(R"({"send_queue_max_bytes": 4096, "send_queue_bytes_max": 4096})").problems,
            std::vector<std::string>{"devices[0].send_queue_bytes_max: expected \"send_queue_max_bytes\" or its old "
                                     "name \"send_queue_bytes_max\", got both"});
}

TEST(OptionReaderTest, EveryMistakeOfAnObjectIsSaidWithTheFormAndWhatItGot) {
  const Read r = read_engine(R"({"workers": 0, "dequeue_batch": 1.5, "skip_completion_port_on_success": "sometimes",
                                 "host_id": 7, "shutdown_timeout_ms": "2s", "frame_max_bytes": 100})");
  const std::vector<std::string> expected = {
      "host.engine.workers: expected an integer from 1 to 64, got 0",
      "host.engine.dequeue_batch: expected an integer from 1 to 1024, got 1.5",
      "host.engine.skip_completion_port_on_success: expected \"never\", \"always\", \"if_honoured\", true or false, "
      "got \"sometimes\"",
      "host.engine.host_id: expected a string, got 7",
      "host.engine.shutdown_timeout_ms: expected an integer from 1 to 86400000, got \"2s\"",
      "host.engine.frame_max_bytes: expected an integer from 256 to 16777216, got 100",
  };
  EXPECT_EQ(r.problems, expected);
  EXPECT_EQ(r.engine.workers, EngineOptions{}.workers);
  EXPECT_EQ(read_device(R"({"backoff_jitter": 2, "reconnect": "no", "version_min": -1})").problems,
            (std::vector<std::string>{"devices[0].backoff_jitter: expected a number from 0.0 to 1.0, got 2",
                                      "devices[0].version_min: expected an integer from 1 to 255, got -1",
                                      "devices[0].reconnect: expected true or false, got \"no\""}));
}

TEST(OptionReaderTest, AKeyOfNoOptionIsLeftToTheCallerWhoseUnknownKeysSuggestTheNearestOption) {
  EXPECT_EQ(read_engine(R"({"worker": 2})").problems,
            std::vector<std::string>{"host.engine.worker: unknown key; did you mean \"workers\"?"});
  // An old name is accepted, never suggested.
  EXPECT_EQ(read_engine(R"({"max_frame_byte": 2})").problems,
            std::vector<std::string>{"host.engine.max_frame_byte: unknown key; did you mean \"frame_max_bytes\"?"});
}

TEST(OptionReaderTest, BoundsTheWrongWayRoundAreSaidAtTheKeyTheObjectSets) {
  EXPECT_EQ(read_device(R"({"backoff_initial_ms": 500, "backoff_max_ms": 100})").problems,
            std::vector<std::string>{"devices[0].backoff_initial_ms: expected at most backoff_max_ms (100), got 500"});
  EXPECT_EQ(read_device(R"({"backoff_max_ms": 50})").problems,
            std::vector<std::string>{"devices[0].backoff_max_ms: expected at least backoff_initial_ms (100), got 50"});
  EXPECT_EQ(read_device(R"({"min_version": 3})").problems,
            std::vector<std::string>{"devices[0].min_version: expected at most version_max (1), got 3"});
  EXPECT_EQ(read_device(R"({"heartbeat_interval_min_ms": 10, "heartbeat_interval_max_ms": 5})").problems,
            std::vector<std::string>{
                "devices[0].heartbeat_interval_min_ms: expected at most heartbeat_interval_max_ms (5), got 10"});
}

TEST(OptionReaderTest, AnInheritedContradictionIsNotSaidAgain) {
  DeviceConfig inherited;
  inherited.backoff_initial_ms = 500;
  inherited.backoff_max_ms = 100;
  const json document = json::parse(R"({"reconnect": false})");
  Problems problems(document);
  JsonReader r(document, "host.devices.a");
  read_options(r, device_option_table(), inherited, problems);
  check_device_options(r, inherited, EngineOptions{}, problems);
  EXPECT_TRUE(problems.empty()) << problems.lines().front();
}

TEST(OptionReaderTest, AHostIdMustLetItsHelloFitInAFrameAndInEachSendQueue) {
  const std::string long_id(65'536, 'h');
  EXPECT_EQ(read_engine(R"({"host_id": ")" + long_id + R"("})").problems,
            std::vector<std::string>{"host.engine.host_id: expected at most 65508 bytes, so that the HELLO carrying it "
                                     "fits in one frame, got 65536 bytes"});
  EXPECT_EQ(read_engine(R"({"host_id": ")" + std::string(300, 'h') + R"(", "frame_max_bytes": 256})").problems,
            std::vector<std::string>{"host.engine.host_id: expected at most 228 bytes, so that the HELLO carrying it "
                                     "fits in one frame, got 300 bytes"});
  EngineOptions engine;
  engine.host_id = std::string(2'000, 'h');
  EXPECT_EQ(
      read_device(R"({"send_queue_max_bytes": 1024})", engine).problems,
      std::vector<std::string>{
          "devices[0].send_queue_max_bytes: expected at least 2028 bytes, the HELLO with this host_id, got 1024"});
}

}  // namespace
}  // namespace iocpsim::engine
