#include "config.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace iocpsim::hostd {
namespace {

TEST(HostdConfigTest, AMinimalFileGivesDefaultsForEverythingElse) {
  const auto r = parse_config(R"({"devices": [{"name": "a", "port": 7001}]})", "h.json");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  ASSERT_EQ(r.config.devices.size(), 1u);
  EXPECT_EQ(r.config.devices[0].host, "127.0.0.1");
  EXPECT_EQ(r.config.devices[0].port, 7001);
  EXPECT_EQ(r.config.engine.workers, engine::EngineOptions{}.workers);
  EXPECT_TRUE(r.config.log_path.empty());
}

TEST(HostdConfigTest, EverySettingIsRead) {
  const auto r = parse_config(R"({"workers": 4, "log_path": "x.jsonl", "shutdown_timeout_ms": 50,
      "skip_completion_port_on_success": false, "seed": 9, "log_max_bytes": 65536, "log_keep": 5,
      "host_id": "h-1", "frame_max_bytes": 4096, "event_burst_max": 3, "devices_max": 10,
      "devices": [{"name": "a", "host": "10.0.0.2", "port": 1, "stall_timeout_ms": 77,
                   "backoff_jitter": 0.5, "reconnect": false, "version_max": 2,
                   "send_stall_timeout_ms": 0, "backoff_reset_after_ms": 9000, "capabilities": 1,
                   "heartbeat_interval_min_ms": 20, "heartbeat_interval_max_ms": 900,
                   "send_queue_max_bytes": 4096}]})",
                              "h.json");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.config.engine.workers, 4u);
  EXPECT_EQ(r.config.log_path, "x.jsonl");
  EXPECT_EQ(r.config.engine.skip_completion_port_on_success, engine::CompletionSkip::never);
  EXPECT_EQ(r.config.engine.seed, 9u);
  EXPECT_EQ(r.config.engine.host_id, "h-1");
  EXPECT_EQ(r.config.engine.frame_max_bytes, 4096u);
  EXPECT_EQ(r.config.engine.event_burst_max, 3u);
  EXPECT_EQ(r.config.engine.devices_max, 10u);
  EXPECT_EQ(r.config.devices[0].stall_timeout_ms, 77u);
  EXPECT_DOUBLE_EQ(r.config.devices[0].backoff_jitter, 0.5);
  EXPECT_FALSE(r.config.devices[0].reconnect);
  EXPECT_EQ(r.config.devices[0].version_max, 2);
  EXPECT_EQ(r.config.log_max_bytes, 65536u);
  EXPECT_EQ(r.config.log_keep, 5u);
  EXPECT_EQ(r.config.devices[0].send_stall_timeout_ms, 0u);
  EXPECT_EQ(r.config.devices[0].backoff_reset_after_ms, 9000u);
  EXPECT_EQ(r.config.devices[0].heartbeat_interval_min_ms, 20u);
  EXPECT_EQ(r.config.devices[0].heartbeat_interval_max_ms, 900u);
  EXPECT_EQ(r.config.devices[0].capabilities, 1u);
  EXPECT_EQ(r.config.devices[0].send_queue_max_bytes, 4096u);
}

// A file written before the limits were renamed still loads, its old keys read as the new ones.
TEST(HostdConfigTest, AFileWithTheOldNamesOfRenamedKeysStillLoads) {
  const auto r = parse_config(R"({"max_frame_bytes": 8192,
      "devices": [{"name": "a", "port": 1, "send_queue_bytes_max": 2048, "min_version": 1, "max_version": 3}]})",
                              "h.json");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.config.engine.frame_max_bytes, 8192u);
  EXPECT_EQ(r.config.devices[0].send_queue_max_bytes, 2048u);
  EXPECT_EQ(r.config.devices[0].version_min, 1);
  EXPECT_EQ(r.config.devices[0].version_max, 3);
}

// hostd's config and scenario files read the engine's options with one reader: the same keys,
// ranges and words.
TEST(HostdConfigTest, EngineOptionsSayTheirMistakesAsScenarioFilesDo) {
  EXPECT_EQ(
      parse_config(R"({"frame_max_bytes": 100, "devices": [{"name": "a", "port": 1, "backof_max_ms": 5}]})", "h.json")
          .errors,
      (std::vector<std::string>{"h.json: frame_max_bytes: expected an integer from 256 to 16777216, got 100",
                                "h.json: devices[0].backof_max_ms: unknown key; did you mean \"backoff_max_ms\"?"}));
}

TEST(HostdConfigTest, SkipOnSuccessTakesItsThreeNamesOrABooleanAndDefaultsToIfHonoured) {
  const auto with = [](const char* value) {
    return parse_config(
        std::string(R"({"skip_completion_port_on_success": )") + value + R"(, "devices": [{"name": "a", "port": 1}]})",
        "h.json");
  };
  EXPECT_EQ(parse_config(R"({"devices": [{"name": "a", "port": 1}]})", "h.json")
                .config.engine.skip_completion_port_on_success,
            engine::CompletionSkip::if_honoured);
  EXPECT_EQ(with(R"("never")").config.engine.skip_completion_port_on_success, engine::CompletionSkip::never);
  EXPECT_EQ(with(R"("always")").config.engine.skip_completion_port_on_success, engine::CompletionSkip::always);
  EXPECT_EQ(with(R"("if_honoured")").config.engine.skip_completion_port_on_success,
            engine::CompletionSkip::if_honoured);
  EXPECT_EQ(with("true").config.engine.skip_completion_port_on_success, engine::CompletionSkip::always);
  const std::string expected =
      "h.json: skip_completion_port_on_success: expected \"never\", \"always\", \"if_honoured\", true or false, got ";
  EXPECT_EQ(with(R"("sometimes")").errors, std::vector<std::string>{expected + "\"sometimes\""});
  EXPECT_EQ(with("1").errors, std::vector<std::string>{expected + "1"});
}

TEST(HostdConfigTest, ErrorsNameTheFileThePathAndWhatWasExpected) {
  const auto r = parse_config(R"({"workers": 0, "colour": "red",
      "devices": [{"name": "a", "port": 70000}, {"port": 1}, {"name": "a", "port": 2, "x": 1}]})",
                              "h.json");
  const std::vector<std::string> expected = {
      "h.json: workers: expected an integer from 1 to 64, got 0",
      "h.json: colour: unknown key; known keys: workers, dequeue_batch, skip_completion_port_on_success, host_id, "
      "shutdown_timeout_ms, drain_ceiling_ms, frame_max_bytes, receive_buffer_bytes, event_burst_max, event_window_ms, "
      "devices_max, seed, log_path, log_max_bytes, log_keep, devices",
      "h.json: devices[0].port: expected an integer from 1 to 65535, got 70000",
      "h.json: devices[1].name: is required (a string)",
      "h.json: devices[2].x: unknown key; known keys: name, host, port, connect_timeout_ms, handshake_timeout_ms, "
      "heartbeat_interval_ms, heartbeat_timeout_ms, heartbeat_interval_min_ms, heartbeat_interval_max_ms, "
      "stall_timeout_ms, send_stall_timeout_ms, backoff_initial_ms, backoff_max_ms, backoff_reset_after_ms, "
      "backoff_jitter, command_timeout_ms, commands_in_flight_max, send_queue_max_bytes, version_min, version_max, "
      "capabilities, reconnect",
      "h.json: devices[2].name: expected a unique device name, got \"a\" a second time",
  };
  EXPECT_EQ(r.errors, expected);
}

// Each value is in range on its own, but the run would refuse it (a device dropped at
// add_device) or never get going with it: --check must refuse it the same way.
TEST(HostdConfigTest, WhatTheRunWouldRefuseOrNeverGetWorkingIsRefusedHere) {
  const std::string folder = ::testing::TempDir();
  // As JSON text: a Windows temp folder holds backslashes.
  const auto r = parse_config(R"({"log_path": )" + nlohmann::json(folder).dump() + R"(,
      "devices": [{"name": "a", "host": "localhost", "port": 1},
                  {"name": "b", "host": "::1", "port": 1},
                  {"name": "c", "host": "999.1.1.1", "port": 1},
                  {"name": "", "port": 1},
                  {"name": "e", "port": 1, "heartbeat_interval_ms": 1000, "heartbeat_timeout_ms": 999},
                  {"name": "f", "port": 1, "backoff_initial_ms": 500, "backoff_max_ms": 100},
                  {"name": "g", "port": 1, "heartbeat_interval_min_ms": 10, "heartbeat_interval_max_ms": 5}]})",
                              "h.json");
  const std::string ipv4 = "expected an IPv4 address in dotted form, such as 127.0.0.1 (no names, no IPv6), got ";
  const std::vector<std::string> expected = {
      "h.json: log_path: expected a file to append to, got the folder \"" + folder + "\"",
      "h.json: devices[0].host: " + ipv4 + "\"localhost\"",
      "h.json: devices[1].host: " + ipv4 + "\"::1\"",
      "h.json: devices[2].host: " + ipv4 + "\"999.1.1.1\"",
      "h.json: devices[3].name: expected a non-empty name, got \"\"",
      "h.json: devices[4].heartbeat_timeout_ms: expected at least heartbeat_interval_ms (1000), got 999",
      "h.json: devices[5].backoff_initial_ms: expected at most backoff_max_ms (100), got 500",
      "h.json: devices[6].heartbeat_interval_min_ms: expected at most heartbeat_interval_max_ms (5), got 10",
  };
  EXPECT_EQ(r.errors, expected);
}

TEST(HostdConfigTest, AHostIdTooLongForTheHelloIsRefusedAndSoIsAQueueTooSmallForTheHello) {
  const std::string long_id(65'536, 'h');
  EXPECT_EQ(
      parse_config(R"({"host_id": ")" + long_id + R"(", "devices": [{"name": "a", "port": 1}]})", "h.json").errors,
      std::vector<std::string>{"h.json: host_id: expected at most 65508 bytes, so that the HELLO carrying it "
                               "fits in one frame, got 65536 bytes"});
  const std::string id(2'000, 'h');
  EXPECT_EQ(parse_config(R"({"host_id": ")" + id + R"(",
                             "devices": [{"name": "a", "port": 1, "send_queue_max_bytes": 1024}]})",
                         "h.json")
                .errors,
            std::vector<std::string>{"h.json: devices[0].send_queue_max_bytes: expected at least 2028 bytes, "
                                     "the HELLO with this host_id, got 1024"});
}

TEST(HostdConfigTest, ALogPathInAFolderThatDoesNotExistIsRefused) {
  EXPECT_EQ(
      parse_config(R"({"log_path": "/nonexistent/h.jsonl", "devices": [{"name": "a", "port": 1}]})", "h.json").errors,
      std::vector<std::string>{"h.json: log_path: expected a file in a folder that exists, got "
                               "\"/nonexistent/h.jsonl\" (no folder \"/nonexistent\")"});
}

TEST(HostdConfigTest, ALogSizeCapTooSmallForAFewLinesIsRefused) {
  EXPECT_EQ(parse_config(R"({"log_max_bytes": 100, "devices": [{"name": "a", "port": 1}]})", "h.json").errors,
            std::vector<std::string>{"h.json: log_max_bytes: expected 0 (no limit) or at least 4096, got 100"});
}

TEST(HostdConfigTest, MoreDevicesThanTheEngineTakesAreRefused) {
  nlohmann::json j;
  for (int i = 0; i < 100'000; ++i) {
    std::string name = "d";
    name += std::to_string(i);
    j["devices"].push_back({{"name", name}, {"port", 1}});
  }
  EXPECT_EQ(parse_config(j.dump(), "h.json").errors,
            std::vector<std::string>{"h.json: devices: expected at most devices_max (4096) devices, got 100000"});
  j["devices"].erase(j["devices"].begin() + 4'096, j["devices"].end());
  EXPECT_TRUE(parse_config(j.dump(), "h.json").ok());
  j["devices_max"] = 4'000;
  EXPECT_EQ(parse_config(j.dump(), "h.json").errors,
            std::vector<std::string>{"h.json: devices: expected at most devices_max (4000) devices, got 4096"});
}

TEST(HostdConfigTest, BadJsonAndMissingDevicesAreReported) {
  ASSERT_EQ(parse_config("{", "h.json").errors.size(), 1u);
  EXPECT_EQ(parse_config("{", "h.json").errors[0].rfind("h.json:1:", 0), 0u) << parse_config("{", "h.json").errors[0];
  EXPECT_EQ(parse_config("{}", "h.json").errors,
            std::vector<std::string>{"h.json: devices: is required (a non-empty array of devices)"});
  EXPECT_EQ(parse_config(R"({"devices": []})", "h.json").errors,
            std::vector<std::string>{"h.json: devices: expected a non-empty array of devices, got []"});
  EXPECT_EQ(parse_config("[1]", "h.json").errors,
            std::vector<std::string>{"h.json: expected an object at the top level, got [1]"});
  EXPECT_EQ(load_config("/nonexistent/h.json").errors,
            std::vector<std::string>{"/nonexistent/h.json: cannot be read (No such file or directory)"});
}

// A key given twice would silently take the last value; nesting and numbers are bounded.
TEST(HostdConfigTest, ADuplicateKeyADeepNestAndAHugeNumberAreErrorsWithTheirPlace) {
  EXPECT_EQ(
      parse_config("{\"workers\": 2,\n \"workers\": 3, \"devices\": []}", "h.json").errors,
      std::vector<std::string>{"h.json:2:2: duplicate key \"workers\" in this object (each key may appear once)"});
  const auto deep = parse_config(std::string(100, '[') + std::string(100, ']'), "h.json").errors;
  ASSERT_EQ(deep.size(), 1u);
  EXPECT_NE(deep[0].find("nested deeper than 64"), std::string::npos) << deep[0];
  const auto huge = parse_config("{\"workers\": 1e999}", "h.json").errors;
  ASSERT_EQ(huge.size(), 1u);
  EXPECT_EQ(huge[0].rfind("h.json:1:", 0), 0u) << huge[0];
}

}  // namespace
}  // namespace iocpsim::hostd
