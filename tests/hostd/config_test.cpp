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
      "devices": [{"name": "a", "host": "10.0.0.2", "port": 1, "stall_timeout_ms": 77,
                   "backoff_jitter": 0.5, "reconnect": false, "max_version": 2,
                   "send_stall_timeout_ms": 0, "backoff_reset_after_ms": 9000,
                   "heartbeat_interval_min_ms": 20, "heartbeat_interval_max_ms": 900}]})",
                              "h.json");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.config.engine.workers, 4u);
  EXPECT_EQ(r.config.log_path, "x.jsonl");
  EXPECT_EQ(r.config.engine.skip_completion_port_on_success, engine::CompletionSkip::never);
  EXPECT_EQ(r.config.engine.seed, 9u);
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
}

TEST(HostdConfigTest, SkipOnSuccessTakesItsThreeNamesOrABooleanAndDefaultsToIfHonoured) {
  const auto with = [](const char* value) {
    return parse_config(std::string(R"({"skip_completion_port_on_success": )") + value +
                            R"(, "devices": [{"name": "a", "port": 1}]})",
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
  const std::vector<std::string> expected = {
      "h.json: /skip_completion_port_on_success: expected \"never\", \"always\", \"if_honoured\", "
      "true or false"};
  EXPECT_EQ(with(R"("sometimes")").errors, expected);
  EXPECT_EQ(with("1").errors, expected);
}

TEST(HostdConfigTest, ErrorsNameTheFileThePathAndWhatWasExpected) {
  const auto r = parse_config(R"({"workers": 0, "colour": "red",
      "devices": [{"name": "a", "port": 70000}, {"port": 1}, {"name": "a", "port": 2, "x": 1}]})",
                              "h.json");
  const std::vector<std::string> expected = {
      "h.json: /workers: expected a number in 1..64",
      "h.json: /colour: is not a known setting",
      "h.json: /devices/0/port: expected a number in 1..65535",
      "h.json: /devices/1/name: is required (a string)",
      "h.json: /devices/2/x: is not a known setting",
      "h.json: /devices/2/name: \"a\" is used twice",
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
      "h.json: /log_path: \"" + folder + "\" is a folder; expected a file to append to",
      "h.json: /devices/0/host: " + ipv4 + "\"localhost\"",
      "h.json: /devices/1/host: " + ipv4 + "\"::1\"",
      "h.json: /devices/2/host: " + ipv4 + "\"999.1.1.1\"",
      "h.json: /devices/3/name: must not be empty",
      "h.json: /devices/4/heartbeat_timeout_ms: must be at least heartbeat_interval_ms (1000), got 999",
      "h.json: /devices/5/backoff_max_ms: must be at least backoff_initial_ms (500), got 100",
      "h.json: /devices/6/heartbeat_interval_max_ms: must be at least heartbeat_interval_min_ms (10), got 5",
  };
  EXPECT_EQ(r.errors, expected);
}

TEST(HostdConfigTest, AHostIdTooLongForTheHelloIsRefusedAndSoIsAQueueTooSmallForTheHello) {
  const std::string long_id(65'536, 'h');
  EXPECT_EQ(parse_config(R"({"host_id": ")" + long_id + R"(", "devices": [{"name": "a", "port": 1}]})",
                         "h.json").errors,
            std::vector<std::string>{"h.json: /host_id: 65536 bytes is too long: the HELLO carrying it "
                                     "must fit in one frame, so at most 65508 bytes"});
  const std::string id(2'000, 'h');
  EXPECT_EQ(parse_config(R"({"host_id": ")" + id + R"(",
                             "devices": [{"name": "a", "port": 1, "send_queue_bytes_max": 1024}]})",
                         "h.json").errors,
            std::vector<std::string>{"h.json: /devices/0/send_queue_bytes_max: must hold the HELLO, "
                                     "2028 bytes with this host_id, got 1024"});
}

TEST(HostdConfigTest, ALogPathInAFolderThatDoesNotExistIsRefused) {
  EXPECT_EQ(parse_config(R"({"log_path": "/nonexistent/h.jsonl", "devices": [{"name": "a", "port": 1}]})",
                         "h.json").errors,
            std::vector<std::string>{"h.json: /log_path: the folder \"/nonexistent\" does not exist"});
}

TEST(HostdConfigTest, ALogSizeCapTooSmallForAFewLinesIsRefused) {
  EXPECT_EQ(parse_config(R"({"log_max_bytes": 100, "devices": [{"name": "a", "port": 1}]})", "h.json").errors,
            std::vector<std::string>{"h.json: /log_max_bytes: expected 0 (no limit) or at least 4096, got 100"});
}

TEST(HostdConfigTest, MoreDevicesThanTheEngineTakesAreRefused) {
  nlohmann::json j;
  for (int i = 0; i < 100'000; ++i) {
    std::string name = "d";
    name += std::to_string(i);
    j["devices"].push_back({{"name", name}, {"port", 1}});
  }
  EXPECT_EQ(parse_config(j.dump(), "h.json").errors,
            std::vector<std::string>{"h.json: /devices: 100000 devices, more than the engine takes (4096)"});
  j["devices"].erase(j["devices"].begin() + 4'096, j["devices"].end());
  EXPECT_TRUE(parse_config(j.dump(), "h.json").ok());
}

TEST(HostdConfigTest, BadJsonAndMissingDevicesAreReported) {
  ASSERT_EQ(parse_config("{", "h.json").errors.size(), 1u);
  EXPECT_EQ(parse_config("{", "h.json").errors[0].rfind("h.json:1:", 0), 0u) << parse_config("{", "h.json").errors[0];
  EXPECT_EQ(parse_config("{}", "h.json").errors,
            std::vector<std::string>{"h.json: /devices: expected a non-empty array of devices"});
  EXPECT_EQ(load_config("/nonexistent/h.json").errors,
            std::vector<std::string>{"/nonexistent/h.json: cannot be read (No such file or directory)"});
}

// A key given twice would silently take the last value; nesting and numbers are bounded.
TEST(HostdConfigTest, ADuplicateKeyADeepNestAndAHugeNumberAreErrorsWithTheirPlace) {
  EXPECT_EQ(parse_config("{\"workers\": 2,\n \"workers\": 3, \"devices\": []}", "h.json").errors,
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
