#include "payload_codec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "golden_frames.hpp"
#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::protocol {
namespace {

using testing::describe;
using testing::golden_frames;
using testing::GoldenFrame;

std::vector<std::uint8_t> payload_of(const std::vector<std::uint8_t>& frame) {
  return {frame.begin() + kHeaderSize, frame.end() - kTrailerSize};
}

MessageType type_in(const std::vector<std::uint8_t>& frame) { return static_cast<MessageType>(frame[3]); }

// The payload bytes the encoder writes for `m`, values unchecked.
std::vector<std::uint8_t> encode_payload(const Message& m) {
  std::vector<std::uint8_t> out(detail::measure_payload(m).bytes);
  detail::write_payload(m, out.data());
  return out;
}

struct Fault {
  DecodeError error;
  std::size_t at;
};

Fault decode_fault(MessageType type, const std::vector<std::uint8_t>& payload) {
  Message m;
  std::size_t at = 12345;
  const DecodeError e = decode_payload(type, payload, m, &at);
  return {e, e == DecodeError::none ? 12345 : at};
}

TEST(PayloadCodecTest, WritesTheGoldenPayloadOfEveryMessage) {
  for (const GoldenFrame& g : golden_frames()) {
    EXPECT_EQ(detail::measure_payload(g.message).bytes, g.bytes.size() - kFrameOverhead) << g.name;
    EXPECT_EQ(encode_payload(g.message), payload_of(g.bytes)) << g.name;
  }
}

TEST(PayloadCodecTest, ReadsEveryGoldenPayloadBackToItsMessage) {
  for (const GoldenFrame& g : golden_frames()) {
    const std::vector<std::uint8_t> payload = payload_of(g.bytes);
    Message m;
    ASSERT_EQ(decode_payload(type_in(g.bytes), payload, m, nullptr), DecodeError::none) << g.name;
    EXPECT_EQ(describe(m), describe(g.message)) << g.name;
  }
}

TEST(PayloadCodecTest, DecodedStringsAndBytesPointIntoThePayload) {
  const GoldenFrame& g = golden_frames().at(6);  // telemetry
  const std::vector<std::uint8_t> payload = payload_of(g.bytes);
  Message m;
  ASSERT_EQ(decode_payload(MessageType::telemetry, payload, m, nullptr), DecodeError::none);
  EXPECT_EQ(std::get<Telemetry>(m).samples.data(), payload.data() + 16);
}

TEST(PayloadCodecTest, EveryTruncationNamesTheFieldThatDoesNotFit) {
  for (const GoldenFrame& g : golden_frames()) {
    const std::vector<std::uint8_t> payload = payload_of(g.bytes);
    for (std::size_t keep = 0; keep < payload.size(); ++keep) {
      std::size_t field = 0;
      for (std::size_t start : g.field_starts) field = start <= keep ? start : field;
      const Fault f = decode_fault(type_in(g.bytes), {payload.begin(), payload.begin() + keep});
      EXPECT_EQ(f.error, DecodeError::truncated_payload) << g.name << " cut at " << keep;
      EXPECT_EQ(f.at, field) << g.name << " cut at " << keep;
    }
  }
}

TEST(PayloadCodecTest, ABytePastTheLastFieldIsInconsistentAtItsOffset) {
  for (const GoldenFrame& g : golden_frames()) {
    std::vector<std::uint8_t> payload = payload_of(g.bytes);
    payload.push_back(0);
    const Fault f = decode_fault(type_in(g.bytes), payload);
    EXPECT_EQ(f.error, DecodeError::inconsistent_payload) << g.name;
    EXPECT_EQ(f.at, payload.size() - 1) << g.name;
  }
}

struct BadValue {
  std::string what;
  Message message;
  std::size_t field_at;
};

TEST(PayloadCodecTest, ValuesOutsideTheirRangeAreInconsistentAtTheirField) {
  const std::vector<BadValue> cases = {
      {"hello min_version 0", Hello{0, 1, 0, ""}, 0},
      {"hello max below min", Hello{2, 1, 0, ""}, 1},
      {"hello_ack version 0", HelloAck{0, 0, 0, "", "", ""}, 0},
      {"response status 5", Response{1, static_cast<Status>(5), {}}, 4},
      {"event severity 4", Event{1, static_cast<Severity>(4), 0, 0, ""}, 4},
      {"bye reason 5", Bye{static_cast<ByeReason>(5), ""}, 0},
      {"error code 0", Error{static_cast<ErrorCode>(0), 0, ""}, 0},
      {"error code 5", Error{static_cast<ErrorCode>(5), 0, ""}, 0},
  };
  for (const BadValue& c : cases) {
    const Fault f = decode_fault(type_of(c.message), encode_payload(c.message));
    EXPECT_EQ(f.error, DecodeError::inconsistent_payload) << c.what;
    EXPECT_EQ(f.at, c.field_at) << c.what;
  }
}

TEST(PayloadCodecTest, TheLastValueOfEveryRangeIsAccepted) {
  const std::vector<Message> edges = {
      Hello{255, 255, 0xFFFFFFFFu, ""},       Response{1, Status::internal_error, {}},
      Event{1, Severity::critical, 0, 0, ""}, Bye{ByeReason::idle_timeout, ""},
      Error{ErrorCode::too_busy, 0, ""},      Error{ErrorCode::malformed_frame, 0, ""},
  };
  for (const Message& m : edges) {
    EXPECT_EQ(decode_fault(type_of(m), encode_payload(m)).error, DecodeError::none) << describe(m);
  }
}

TEST(PayloadCodecTest, MeasureFlagsAFieldLongerThanItsLengthPrefix) {
  const std::string longest(detail::kMaxFieldBytes, 'x');
  const std::string too_long(detail::kMaxFieldBytes + 1, 'x');
  EXPECT_FALSE(detail::measure_payload(Bye{ByeReason::normal, longest}).field_too_long);
  EXPECT_EQ(detail::measure_payload(Bye{ByeReason::normal, longest}).bytes, 4 + longest.size());
  EXPECT_TRUE(detail::measure_payload(Bye{ByeReason::normal, too_long}).field_too_long);
  EXPECT_TRUE(detail::measure_payload(HelloAck{1, 0, 0, "", "", too_long}).field_too_long);
}

TEST(PayloadCodecTest, AnUnknownTypeIsRefusedAtTheFirstByte) {
  const Fault f = decode_fault(static_cast<MessageType>(0x55), {1, 2, 3});
  EXPECT_EQ(f.error, DecodeError::inconsistent_payload);
  EXPECT_EQ(f.at, 0u);
}

}  // namespace
}  // namespace iocpsim::protocol
