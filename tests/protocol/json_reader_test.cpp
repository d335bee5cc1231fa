#include "iocpsim/json_diag/json_reader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace iocpsim::json_diag {
namespace {

TEST(JsonReaderTest, ReturnsDefaultsForAbsentKeys) {
  const auto j = nlohmann::json::parse(R"({})");
  JsonReader r(j, "x");
  EXPECT_EQ(r.get_uint("n", 7), 7u);
  EXPECT_EQ(r.get_string("s", "d"), "d");
  EXPECT_TRUE(r.get_bool("b", true));
  EXPECT_TRUE(r.get_hex("h").empty());
  EXPECT_NO_THROW(r.finish());
}

TEST(JsonReaderTest, RejectsANumberOutOfRange) {
  const auto j = nlohmann::json::parse(R"({"port": 70000, "neg": -1})");
  JsonReader r(j, "dev");
  try {
    r.get_uint("port", 0, 0xFFFF);
    FAIL();
  } catch (const PathError& e) {
    EXPECT_STREQ(e.what(), "dev.port: expected an integer from 0 to 65535");
    EXPECT_EQ(e.path(), "dev.port");
  }
  EXPECT_THROW(r.get_uint("neg", 0), PathError);
}

// A document built in code holds its integers signed: 30000 there is the 30000 of a file.
TEST(JsonReaderTest, TakesAnIntegerOfADocumentBuiltInCodeAsTheSameNumber) {
  const nlohmann::json j = {{"ms", 30000}, {"neg", -1}, {"big", 70000}};
  ASSERT_FALSE(j["ms"].is_number_unsigned());
  JsonReader r(j, "run");
  EXPECT_EQ(r.get_uint("ms", 0, 3'600'000), 30000u);
  EXPECT_THROW(r.get_uint("neg", 0), PathError);
  EXPECT_THROW(r.get_uint("big", 0, 0xFFFF), PathError);
}

TEST(JsonReaderTest, RequiresAnObject) {
  const auto j = nlohmann::json::parse(R"([1])");
  EXPECT_THROW(JsonReader(j, "a"), PathError);
}

TEST(JsonReaderTest, ReportsKeysNobodyAskedFor) {
  const auto j = nlohmann::json::parse(R"({"interval_ms": 1, "extra": 2})");
  JsonReader r(j, "s");
  r.get_uint("interval_ms", 0);
  try {
    r.finish();
    FAIL();
  } catch (const PathError& e) {
    EXPECT_STREQ(e.what(), "s.extra: unknown key; known keys: interval_ms");
  }
}

TEST(JsonReaderTest, AMisspeltKeyIsNamedWithTheNearestKnownOne) {
  const auto j = nlohmann::json::parse(R"({"intervl_ms": 2})");
  JsonReader r(j, "s");
  r.get_uint("interval_ms", 0);
  r.get_uint("count", 0);
  try {
    r.finish();
    FAIL();
  } catch (const PathError& e) {
    EXPECT_STREQ(e.what(), "s.intervl_ms: unknown key; did you mean \"interval_ms\"?");
  }
}

TEST(JsonReaderTest, AnOldSpellingIsKnownNotListedAndAKeyNearItIsToldTheCurrentOne) {
  const auto j = nlohmann::json::parse(R"({"max_frame_bytes": 1, "max_frame_byte": 2, "zzz": 3})");
  JsonReader r(j, "");
  EXPECT_FALSE(r.has("frame_max_bytes"));
  EXPECT_TRUE(r.has_old_name("max_frame_bytes", "frame_max_bytes"));
  EXPECT_EQ(r.raw("max_frame_bytes"), 1);
  const std::vector<PathError> unknown = r.unknown_keys();
  ASSERT_EQ(unknown.size(), 2u);
  EXPECT_STREQ(unknown[0].what(), "max_frame_byte: unknown key; did you mean \"frame_max_bytes\"?");
  EXPECT_STREQ(unknown[1].what(), "zzz: unknown key; known keys: frame_max_bytes");
}

TEST(JsonReaderTest, AKeyIsGivenByItsNameOrAnOldOneButNotBoth) {
  const auto j = nlohmann::json::parse(
      R"({"a": {"max_frame_bytes": 1}, "b": {}, "c": {"frame_max_bytes": 1, "max_frame_bytes": 2}})");
  JsonReader top(j, "");
  EXPECT_EQ(top.object("a").spelling("frame_max_bytes", {"max_frame_bytes"}), "max_frame_bytes");
  EXPECT_EQ(top.object("b").spelling("frame_max_bytes", {"max_frame_bytes"}), "frame_max_bytes");
  try {
    top.object("c").spelling("frame_max_bytes", {"max_frame_bytes"});
    FAIL();
  } catch (const PathError& e) {
    EXPECT_STREQ(e.what(),
                 "c.max_frame_bytes: expected \"frame_max_bytes\" or its old name \"max_frame_bytes\", got both");
  }
}

TEST(JsonReaderTest, ParsesHexWithSeparatorsOnlyBetweenBytes) {
  EXPECT_EQ(parse_hex("A5 5a:01_ff"), (std::vector<std::uint8_t>{0xA5, 0x5A, 0x01, 0xFF}));
  EXPECT_EQ(parse_hex(""), std::vector<std::uint8_t>{});
  EXPECT_FALSE(parse_hex("a 5"));
  EXPECT_FALSE(parse_hex("abc"));
  EXPECT_FALSE(parse_hex("zz"));
  const std::uint8_t bytes[] = {0x00, 0xAB};
  EXPECT_EQ(to_hex(bytes, 2), "00ab");
}

TEST(JsonReaderTest, SuggestsOnlyCloseKeys) {
  EXPECT_EQ(nearest_key("delay", {"delay_ms", "chunks"}), "delay_ms");
  EXPECT_EQ(nearest_key("xyz", {"delay_ms", "chunks"}), std::nullopt);
}

TEST(JsonReaderTest, NamesEachObjectOfAnArrayByIndex) {
  const auto j = nlohmann::json::parse(R"({"steps": [{}, 3]})");
  JsonReader r(j, "root");
  try {
    r.objects("steps");
    FAIL();
  } catch (const PathError& e) {
    EXPECT_STREQ(e.what(), "root.steps[1]: expected an object");
  }
}

}  // namespace
}  // namespace iocpsim::json_diag
