#include "config.hpp"

#include <gtest/gtest.h>

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
      "skip_completion_port_on_success": false, "seed": 9,
      "devices": [{"name": "a", "host": "10.0.0.2", "port": 1, "stall_timeout_ms": 77,
                   "backoff_jitter": 0.5, "reconnect": false, "max_version": 2}]})",
                              "h.json");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.config.engine.workers, 4u);
  EXPECT_EQ(r.config.log_path, "x.jsonl");
  EXPECT_EQ(r.config.engine.skip_completion_port_on_success, engine::CompletionSkip::never);
  EXPECT_EQ(r.config.engine.seed, 9u);
  EXPECT_EQ(r.config.devices[0].stall_timeout_ms, 77u);
  EXPECT_DOUBLE_EQ(r.config.devices[0].backoff_jitter, 0.5);
  EXPECT_FALSE(r.config.devices[0].reconnect);
  EXPECT_EQ(r.config.devices[0].max_version, 2);
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
      "h.json: /workers: expected a number in 1..256",
      "h.json: /colour: is not a known setting",
      "h.json: /devices/0/port: expected a number in 1..65535",
      "h.json: /devices/1/name: is required (a string)",
      "h.json: /devices/2/x: is not a known setting",
      "h.json: /devices/2/name: \"a\" is used twice",
  };
  EXPECT_EQ(r.errors, expected);
}

TEST(HostdConfigTest, BadJsonAndMissingDevicesAreReported) {
  EXPECT_EQ(parse_config("{", "h.json").errors.size(), 1u);
  EXPECT_EQ(parse_config("{}", "h.json").errors,
            std::vector<std::string>{"h.json: /devices: expected a non-empty array of devices"});
  EXPECT_EQ(load_config("/nonexistent/h.json").errors,
            std::vector<std::string>{"/nonexistent/h.json: cannot be opened"});
}

}  // namespace
}  // namespace iocpsim::hostd
