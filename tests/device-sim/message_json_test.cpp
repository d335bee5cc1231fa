#include "iocpsim/devsim/message_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;

pr::Message build(const std::string& text, MessageStorage& storage) {
  const auto j = nlohmann::json::parse(text);
  JsonReader r(j, "m");
  return message_from_json(r, storage, MessageDefaults{});
}

TEST(MessageJsonTest, RoundTripsEveryMessageType) {
  const std::vector<std::string> samples = {
      R"({"type":"hello","min_version":1,"max_version":2,"capabilities":3,"host_id":"h"})",
      R"({"type":"hello_ack","version":1,"capabilities":7,"heartbeat_interval_ms":10,"device_id":"d","serial":"s","firmware":"f"})",
      R"({"type":"heartbeat","nonce":18446744073709551615})",
      R"({"type":"heartbeat_ack","nonce":5})",
      R"({"type":"command","request_id":1,"opcode":2,"data":"0a0b"})",
      R"({"type":"response","request_id":1,"status":"internal_error","data":""})",
      R"({"type":"telemetry","channel":3,"channel_seq":4,"timestamp_us":5,"samples":"ff"})",
      R"({"type":"event","event_id":1,"severity":"warning","code":2,"timestamp_us":3,"text":"t"})",
      R"({"type":"bye","reason":"idle_timeout","text":"x"})",
      R"({"type":"error","code":"too_busy","ref_seq":9,"text":"y"})"};
  for (const auto& text : samples) {
    MessageStorage storage;
    EXPECT_EQ(message_to_json(build(text, storage)), nlohmann::json::parse(text)) << text;
  }
}

TEST(MessageJsonTest, FillsAHelloAckFromTheDefaults) {
  MessageStorage storage;
  const auto j = nlohmann::json::parse(R"({"type": "hello_ack"})");
  JsonReader r(j, "m");
  MessageDefaults d;
  d.device_id = "me";
  const auto ack = std::get<pr::HelloAck>(message_from_json(r, storage, d));
  EXPECT_EQ(ack.device_id, "me");
  EXPECT_EQ(ack.capabilities, d.capabilities);
}

TEST(MessageJsonTest, MakesAPatternOfOnlyTheGivenFields) {
  const auto j = nlohmann::json::parse(R"({"type": "command", "opcode": 7})");
  JsonReader r(j, "p");
  const auto pattern = pattern_from_json(r);
  EXPECT_EQ(pattern, nlohmann::json::parse(R"({"type": "command", "opcode": 7})"));
  const std::uint8_t data[] = {1};
  EXPECT_TRUE(message_matches(pattern, message_to_json(pr::Command{5, 7, data})));
  EXPECT_FALSE(message_matches(pattern, message_to_json(pr::Command{5, 8, data})));
  EXPECT_FALSE(message_matches(pattern, message_to_json(pr::Heartbeat{7})));
}

TEST(MessageJsonTest, WritesHexInLowerCaseSoPatternsCompare) {
  const auto j = nlohmann::json::parse(R"({"type": "response", "data": "AB"})");
  JsonReader r(j, "p");
  EXPECT_EQ(pattern_from_json(r)["data"], "ab");
}

}  // namespace
}  // namespace iocpsim::devsim
