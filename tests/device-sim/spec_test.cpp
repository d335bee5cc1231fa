#include "iocpsim/devsim/spec.hpp"

#include <gtest/gtest.h>

namespace iocpsim::devsim {
namespace {

// The message of the SpecError that parsing `text` (a scenario-like document) throws.
std::string error_of(const std::string& text) {
  try {
    parse_devices(nlohmann::json::parse(text));
  } catch (const SpecError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SpecTest, ReadsEveryPartOfADeviceSpec) {
  const auto specs = parse_devices(nlohmann::json::parse(R"({"devices": [{
      "name": "pump", "listen": "127.0.0.1:0", "seed": 9,
      "identity": {"device_id": "p-1", "serial": "S", "firmware": "3", "capabilities": 5, "heartbeat_interval_ms": 100},
      "commands": [{"opcode": 2, "status": "busy", "delay_ms": 10}],
      "telemetry": {"channels": [1, 2], "rate_hz": 50, "sample_bytes": 8, "autostart": false},
      "send_queue": {"max_bytes": 9000, "low_water_bytes": 100},
      "answer_heartbeats": false, "frame_max_bytes": 4096,
      "script": [{"step": "wait", "ms": 1}]}]})"));
  ASSERT_EQ(specs.size(), 1u);
  const auto& s = specs[0];
  EXPECT_EQ(s.name, "pump");
  EXPECT_EQ(s.listen, "127.0.0.1:0");
  EXPECT_EQ(s.seed, 9u);
  EXPECT_EQ(s.model.identity.device_id, "p-1");
  EXPECT_EQ(s.model.identity.capabilities, 5u);
  ASSERT_EQ(s.model.commands.size(), 1u);
  EXPECT_EQ(s.model.commands[0].opcode, 2);
  EXPECT_EQ(s.model.commands[0].status, protocol::Status::busy);
  EXPECT_EQ(s.model.telemetry.channels, (std::vector<std::uint16_t>{1, 2}));
  EXPECT_DOUBLE_EQ(s.model.telemetry.rate_hz, 50);
  EXPECT_FALSE(s.model.telemetry.autostart);
  EXPECT_EQ(s.model.send_queue.max_bytes, 9000u);
  EXPECT_EQ(s.model.send_queue.low_water_bytes, 100u);
  EXPECT_FALSE(s.model.answer_heartbeats);
  EXPECT_EQ(s.model.frame_max_bytes, 4096u);
  EXPECT_EQ(s.script.size(), 1u);
  EXPECT_EQ(s.path, "devices[0]");
}

TEST(SpecTest, TheOldNameOfFrameMaxBytesIsStillRead) {
  EXPECT_EQ(parse_devices(nlohmann::json::parse(R"({"max_frame_bytes": 2048})"))[0].model.frame_max_bytes, 2048u);
  EXPECT_EQ(error_of(R"({"devices": [{"frame_max_bytes": 1, "max_frame_bytes": 2}]})"),
            "devices[0].max_frame_bytes: expected \"frame_max_bytes\" or its old name \"max_frame_bytes\", got both");
}

TEST(SpecTest, AcceptsAnArrayOfDevicesOrASingleDevice) {
  EXPECT_EQ(parse_devices(nlohmann::json::parse(R"([{"name": "a"}, {"name": "b"}])")).size(), 2u);
  EXPECT_EQ(parse_devices(nlohmann::json::parse(R"({"name": "solo"})"))[0].name, "solo");
}

TEST(SpecTest, NamesThePathAndFormOfBadChunks) {
  EXPECT_EQ(error_of(R"({"devices": [{"script": [{"step": "wait", "ms": 1}, {"step": "wait", "ms": 1},
      {"step": "wait", "ms": 1}, {"step": "send_chunked", "hex": "00", "chunks": [1, 0]}]}]})"),
            "devices[0].script[3].chunks: expected an array of positive integers");
}

TEST(SpecTest, SuggestsTheStepKindMeantByAMisspeltOne) {
  EXPECT_EQ(error_of(R"({"devices": [{"script": [{"step": "sned"}]}]})"),
            "devices[0].script[0].step: unknown step kind \"sned\" (did you mean \"send\"?); "
            "device-sim --list-steps shows them all");
}

TEST(SpecTest, RejectsAnUnknownOptionAndSuggestsTheKnownOne) {
  const auto error =
      error_of(R"({"devices": [{"script": [{"step": "expect", "message": {"type": "hello"}, "within": 5}]}]})");
  EXPECT_EQ(error.rfind("devices[0].script[0].within: unknown key (did you mean \"within_ms\"?)", 0), 0u) << error;
}

TEST(SpecTest, RejectsAMisspeltTopLevelKey) {
  const auto error = error_of(R"({"devices": [{"telemetri": {}}]})");
  EXPECT_EQ(error.rfind("devices[0].telemetri: unknown key; did you mean \"telemetry\"?", 0), 0u) << error;
}

TEST(SpecTest, SaysWhichRequiredOptionIsMissing) {
  EXPECT_EQ(error_of(R"({"devices": [{"script": [{"step": "repeat", "times": 2, "steps": [{"step": "wait"}]}]}]})"),
            "devices[0].script[0].steps[0].ms: is required (an integer from 0 to 4294967295)");
}

TEST(SpecTest, ListsTheChoicesForABadEnumValue) {
  EXPECT_EQ(error_of(R"({"devices": [{"script": [{"step": "raise_event", "severity": "alrm"}]}]})"),
            "devices[0].script[0].severity: expected one of \"info\", \"warning\", \"alarm\", \"critical\", "
            "got \"alrm\" (did you mean \"alarm\"?)");
}

TEST(SpecTest, RejectsMalformedHex) {
  EXPECT_EQ(error_of(R"({"devices": [{"script": [{"step": "send_hex", "hex": "a5a"}]}]})"),
            "devices[0].script[0].hex: expected a hex string of whole bytes, e.g. \"a55a01\"");
}

TEST(SpecTest, RejectsAnUnknownMessageField) {
  const auto error =
      error_of(R"({"devices": [{"script": [{"step": "send", "message": {"type": "event", "cod": 1}}]}]})");
  EXPECT_EQ(error.rfind("devices[0].script[0].message.cod: unknown key; did you mean \"code\"?", 0), 0u) << error;
}

TEST(SpecTest, RequiresAMessageType) {
  EXPECT_EQ(error_of(R"({"devices": [{"script": [{"step": "send", "message": {}}]}]})"),
            "devices[0].script[0].message.type: is required (a message type name)");
}

TEST(SpecTest, RequiresExactlyOneOfMessageAndHex) {
  EXPECT_EQ(error_of(R"({"devices": [{"script": [{"step": "drip", "hex": "00", "message": {"type": "bye"}}]}]})"),
            "devices[0].script[0]: expected exactly one of \"message\" (a message object) or \"hex\" (raw bytes)");
}

TEST(SpecTest, RejectsAValueOfTheWrongType) {
  EXPECT_EQ(error_of(R"({"devices": [{"name": "a"}, {"telemetry": {"rate_hz": "fast"}}]})"),
            "devices[1].telemetry.rate_hz: expected a number from 0.0 to 100000.0");
  EXPECT_EQ(error_of(R"({"devices": [{"script": {"step": "wait"}}]})"),
            "devices[0].script: expected an array of steps");
  EXPECT_EQ(error_of(R"({"devices": []})"), "devices: expected a non-empty array of device specs");
}

TEST(SpecTest, SendQueueDefaultsToFourMebibytesDrainingToOne) {
  const auto s = parse_devices(nlohmann::json::parse(R"({"name": "a"})"))[0];
  EXPECT_EQ(s.model.send_queue.max_bytes, 4u << 20);
  EXPECT_EQ(s.model.send_queue.low_water_bytes, 1u << 20);
  const auto small = parse_devices(nlohmann::json::parse(R"({"send_queue": {"max_bytes": 1000}})"))[0];
  EXPECT_EQ(small.model.send_queue.low_water_bytes, 250u);  // a quarter of a smaller queue
}

TEST(SpecTest, RejectsALowWaterMarkNotBelowTheQueuesLimit) {
  EXPECT_EQ(error_of(R"({"devices": [{"send_queue": {"max_bytes": 100, "low_water_bytes": 100}}]})"),
            "devices[0].send_queue.low_water_bytes: must be less than max_bytes "
            "(100)");
  EXPECT_EQ(error_of(R"({"devices": [{"send_queue": {"max_bytes": 0}}]})"),
            "devices[0].send_queue.max_bytes: must be at least 1");
}

}  // namespace
}  // namespace iocpsim::devsim
