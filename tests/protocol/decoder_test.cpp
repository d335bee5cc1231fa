#include "iocpsim/protocol/decoder.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "allocation_counter.hpp"
#include "golden_frames.hpp"
#include "iocpsim/protocol/crc32c.hpp"
#include "iocpsim/protocol/encoder.hpp"
#include "test_seed.hpp"

namespace iocpsim::protocol {
namespace {

using testing::describe;
using testing::golden_frames;
using testing::golden_stream;
using testing::GoldenFrame;
using ByteVector = std::vector<std::uint8_t>;

// An exact-size heap copy: under AddressSanitizer, reading one byte past it is caught.
class ExactCopy {
 public:
  ExactCopy(const std::uint8_t* p, std::size_t n) : data_(new std::uint8_t[n]), size_(n) {
    if (n != 0) std::memcpy(data_.get(), p, n);
  }
  Bytes bytes() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_;
};

// What a stream decoded to: one line per frame, then the error if any.
struct Outcome {
  std::vector<std::string> frames;
  DecodeError error = DecodeError::none;
  std::uint64_t error_offset = 0;
  std::uint64_t consumed = 0;
};

std::string line_of(const Frame& f) {
  return "seq=" + std::to_string(f.header.seq) + " flags=" + std::to_string(f.header.flags) + " " + describe(f.message);
}

// Feeds one piece, calling put() again while it yields frames, as a caller must.
void feed(Decoder& d, Bytes piece, Outcome& out) {
  const ExactCopy copy(piece.data(), piece.size());
  Bytes rest = copy.bytes();
  for (;;) {
    const DecodeResult r = d.put(rest);
    ASSERT_LE(r.consumed, rest.size());
    out.consumed += r.consumed;
    rest = rest.subspan(r.consumed);
    if (r.status == DecodeStatus::error) {
      out.error = r.error;
      out.error_offset = r.error_offset;
      return;
    }
    if (r.status == DecodeStatus::need_more) {
      ASSERT_TRUE(rest.empty()) << "need_more left input unconsumed";
      return;
    }
    ASSERT_EQ(r.frame.raw.size(), kFrameOverhead + r.frame.header.payload_len);
    out.frames.push_back(line_of(r.frame));
  }
}

Outcome feed_split(const ByteVector& stream, const std::vector<std::size_t>& cuts, DecoderOptions options = {}) {
  Decoder d(options);
  Outcome out;
  std::size_t from = 0;
  for (std::size_t i = 0; i <= cuts.size() && out.error == DecodeError::none; ++i) {
    const std::size_t to = i < cuts.size() ? cuts[i] : stream.size();
    feed(d, Bytes(stream.data() + from, to - from), out);
    from = to;
  }
  EXPECT_EQ(d.stream_offset(), out.consumed);
  return out;
}

std::vector<std::string> expected_lines(const std::vector<const GoldenFrame*>& frames) {
  std::vector<std::string> lines;
  for (const GoldenFrame* g : frames) {
    lines.push_back("seq=" + std::to_string(g->seq) + " flags=" + std::to_string(g->flags) + " " +
                    describe(g->message));
  }
  return lines;
}

TEST(DecoderTest, DecodesEveryGoldenFrameInPlace) {
  for (const GoldenFrame& g : golden_frames()) {
    Decoder d;
    const ExactCopy input(g.bytes.data(), g.bytes.size());
    const DecodeResult r = d.put(input.bytes());
    ASSERT_EQ(r.status, DecodeStatus::frame) << g.name << ": " << to_string(r.error);
    EXPECT_EQ(r.consumed, g.bytes.size()) << g.name;
    EXPECT_EQ(r.frame.header.version, kVersion);
    EXPECT_EQ(r.frame.header.type, type_of(g.message)) << g.name;
    EXPECT_EQ(r.frame.header.flags, g.flags) << g.name;
    EXPECT_EQ(r.frame.header.seq, g.seq) << g.name;
    EXPECT_EQ(r.frame.header.payload_len, g.bytes.size() - kFrameOverhead) << g.name;
    EXPECT_EQ(describe(r.frame.message), describe(g.message)) << g.name;
    EXPECT_EQ(r.frame.raw.data(), input.bytes().data()) << g.name << ": a whole frame must not be copied";
    EXPECT_EQ(d.buffered(), 0u);
    EXPECT_EQ(d.stream_offset(), g.bytes.size());
  }
}

TEST(DecoderTest, DecodesEveryGoldenFrameSplitInTwoAtEveryByte) {
  for (const GoldenFrame& g : golden_frames()) {
    for (std::size_t cut = 0; cut <= g.bytes.size(); ++cut) {
      const Outcome out = feed_split(g.bytes, {cut});
      EXPECT_EQ(out.error, DecodeError::none) << g.name << " cut at " << cut;
      EXPECT_EQ(out.frames, expected_lines({&g})) << g.name << " cut at " << cut;
      EXPECT_EQ(out.consumed, g.bytes.size()) << g.name << " cut at " << cut;
    }
  }
}

TEST(DecoderTest, DecodesEveryGoldenFrameFedOneByteAtATime) {
  for (const GoldenFrame& g : golden_frames()) {
    Decoder d;
    for (std::size_t i = 0; i < g.bytes.size(); ++i) {
      const ExactCopy one(&g.bytes[i], 1);
      const DecodeResult r = d.put(one.bytes());
      ASSERT_EQ(r.consumed, 1u) << g.name << " byte " << i;
      if (i + 1 < g.bytes.size()) {
        ASSERT_EQ(r.status, DecodeStatus::need_more) << g.name << " byte " << i;
        ASSERT_EQ(d.buffered(), i + 1);
      } else {
        ASSERT_EQ(r.status, DecodeStatus::frame) << g.name << ": " << to_string(r.error);
        EXPECT_EQ(describe(r.frame.message), describe(g.message)) << g.name;
        EXPECT_EQ(ByteVector(r.frame.raw.begin(), r.frame.raw.end()), g.bytes) << g.name;
        EXPECT_EQ(d.buffered(), 0u);
      }
    }
  }
}

TEST(DecoderTest, AnEmptyPutNeedsMoreAndTakesNothing) {
  Decoder d;
  const DecodeResult r = d.put({});
  EXPECT_EQ(r.status, DecodeStatus::need_more);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_EQ(d.stream_offset(), 0u);
}

TEST(DecoderTest, AnEmptyPutInsideAFrameChangesNothing) {
  const ByteVector& hello = golden_frames()[0].bytes;
  for (std::size_t held : {std::size_t{5}, kHeaderSize, std::size_t{20}}) {
    Decoder d;
    const ExactCopy first(hello.data(), held), rest(hello.data() + held, hello.size() - held);
    ASSERT_EQ(d.put(first.bytes()).status, DecodeStatus::need_more);
    const DecodeResult empty = d.put(Bytes{});
    EXPECT_EQ(empty.status, DecodeStatus::need_more);
    EXPECT_EQ(empty.consumed, 0u);
    EXPECT_EQ(d.buffered(), held);
    EXPECT_EQ(d.put(rest.bytes()).status, DecodeStatus::frame) << "held " << held;
  }
}

TEST(DecoderTest, ACallTakesOneFrameAndLeavesTheNextForTheFollowingCall) {
  const ByteVector stream = golden_stream();
  const ExactCopy input(stream.data(), stream.size());
  Decoder d;
  const DecodeResult r = d.put(input.bytes());
  ASSERT_EQ(r.status, DecodeStatus::frame);
  EXPECT_EQ(r.consumed, golden_frames()[0].bytes.size());
  EXPECT_EQ(d.stream_offset(), r.consumed);
}

// ---- Long random streams -------------------------------------------------------------------

class RandomStream {
 public:
  explicit RandomStream(unsigned seed) : rng_(seed) {}

  // Appends a random valid frame to `stream` and returns its expected line.
  std::string append(ByteVector& stream) {
    const Message m = random_message();
    const std::uint32_t seq = u32();
    const std::uint16_t flags = static_cast<std::uint16_t>(rng_() % 2);
    const std::size_t at = stream.size();
    stream.resize(at + frame_size(m));
    const EncodeResult r = encode(m, seq, {stream.data() + at, stream.size() - at}, flags);
    EXPECT_TRUE(r) << to_string(r.error);
    return "seq=" + std::to_string(seq) + " flags=" + std::to_string(flags) + " " + describe(m);
  }
  std::size_t below(std::size_t n) { return rng_() % n; }

 private:
  std::string_view text(std::size_t max_len) {
    std::string& s = arena_.emplace_back(below(max_len + 1), '\0');
    for (char& c : s) c = static_cast<char>('a' + below(26));
    return s;
  }
  Bytes bytes(std::size_t max_len) {
    const std::string_view s = text(max_len);
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
  }
  std::uint32_t u32() { return static_cast<std::uint32_t>(rng_()); }
  std::uint64_t u64() { return (std::uint64_t{u32()} << 32) | u32(); }
  Message random_message() {
    switch (below(10)) {
      case 0:
        return Hello{1, static_cast<std::uint8_t>(1 + below(3)), u32(), text(40)};
      case 1:
        return HelloAck{1, u32(), u32(), text(20), text(20), text(20)};
      case 2:
        return Heartbeat{u64()};
      case 3:
        return HeartbeatAck{u64()};
      case 4:
        return Command{u32(), static_cast<std::uint16_t>(u32()), bytes(300)};
      case 5:
        return Response{u32(), static_cast<Status>(below(5)), bytes(300)};
      case 6:
        return Event{u32(), static_cast<Severity>(below(4)), 7, u64(), text(80)};
      case 7:
        return Bye{static_cast<ByeReason>(below(5)), text(30)};
      case 8:
        return Error{static_cast<ErrorCode>(1 + below(4)), u32(), text(30)};
      default:
        return Telemetry{static_cast<std::uint16_t>(below(8)), u32(), u64(), bytes(below(8) == 0 ? 20000 : 64)};
    }
  }
  std::mt19937 rng_;
  std::deque<std::string> arena_;  // backs the views in the messages
};

TEST(DecoderTest, DecodesLongRunsOfFramesBackToBackInRandomSplits) {
  const unsigned seed = testing::test_seed();
  RandomStream gen(seed);
  for (int run = 0; run < 20; ++run) {
    ByteVector stream;
    std::vector<std::string> expected;
    for (int i = 0; i < 300; ++i) expected.push_back(gen.append(stream));
    std::vector<std::size_t> cuts;
    // Mostly short pieces, sometimes long ones that hold several whole frames.
    for (std::size_t at = 0; at < stream.size();) {
      at += 1 + gen.below(gen.below(4) == 0 ? 30000 : 200);
      if (at < stream.size()) cuts.push_back(at);
    }
    const Outcome out = feed_split(stream, cuts);
    ASSERT_EQ(out.error, DecodeError::none)
        << testing::replay_hint(seed) << " run " << run << ": " << to_string(out.error);
    ASSERT_EQ(out.frames, expected) << testing::replay_hint(seed) << " run " << run;
  }
}

TEST(DecoderTest, DecodesNoFrameTwiceAndLosesNoneAcrossReset) {
  const ByteVector stream = golden_stream();
  Decoder d;
  Outcome first;
  feed(d, stream, first);
  d.reset();
  EXPECT_EQ(d.stream_offset(), 0u);
  Outcome second;
  feed(d, stream, second);
  EXPECT_EQ(first.frames.size(), golden_frames().size());
  EXPECT_EQ(first.frames, second.frames);
}

// ---- Errors --------------------------------------------------------------------------------

// A frame with any type byte and payload, and a correct CRC.
ByteVector raw_frame(std::uint8_t type, const ByteVector& payload) {
  ByteVector f = {0xA5, 0x5A, 0x01, type, 0, 0, 0, 0, 9, 0, 0, 0};
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<std::uint8_t>(payload.size() >> (8 * i)));
  f.insert(f.end(), payload.begin(), payload.end());
  const std::uint32_t crc = crc32c(0, f.data(), f.size());
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
  return f;
}

struct ErrorCase {
  std::string what;
  ByteVector bad;  // follows one good frame in the stream
  DecodeError error;
  std::size_t offset_in_bad;    // where the fault is reported, relative to `bad`
  std::size_t consumed_of_bad;  // bytes of `bad` taken up to the point of detection
  std::size_t frame_max_bytes = kDefaultFrameMaxBytes;
};

const GoldenFrame& good() { return golden_frames()[2]; }  // heartbeat

ByteVector golden_with(std::size_t index, std::size_t at, std::uint8_t value) {
  ByteVector f = golden_frames()[index].bytes;
  f[at] = value;
  return f;
}

// The same error and offset whether the stream comes whole, in two pieces cut anywhere, or a byte
// at a time; every piece is an exact-size heap copy, so reading past one is caught by ASan.
void expect_error_in_every_split(const ErrorCase& c) {
  ByteVector stream = good().bytes;
  stream.insert(stream.end(), c.bad.begin(), c.bad.end());
  const std::size_t g = good().bytes.size();
  std::vector<std::vector<std::size_t>> splits = {{}};
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) splits.push_back({cut});
  std::vector<std::size_t> every_byte;
  for (std::size_t cut = 1; cut < stream.size(); ++cut) every_byte.push_back(cut);
  splits.push_back(every_byte);
  for (const auto& cuts : splits) {
    const std::string where =
        c.what + (cuts.size() == 1 ? " cut at " + std::to_string(cuts[0]) : " cuts " + std::to_string(cuts.size()));
    const Outcome out = feed_split(stream, cuts, {c.frame_max_bytes});
    ASSERT_EQ(out.frames, expected_lines({&good()})) << where;
    ASSERT_EQ(out.error, c.error) << where << ": got " << to_string(out.error);
    ASSERT_EQ(out.error_offset, g + c.offset_in_bad) << where;
    ASSERT_EQ(out.consumed, g + c.consumed_of_bad) << where;
  }
}

TEST(DecoderErrorTest, BadMagicIsReportedAtEitherMagicByte) {
  expect_error_in_every_split({"first", golden_with(0, 0, 0x00), DecodeError::bad_magic, 0, 1});
  expect_error_in_every_split({"second", golden_with(0, 1, 0xA5), DecodeError::bad_magic, 1, 2});
  expect_error_in_every_split({"garbage", {'G', 'E', 'T', ' '}, DecodeError::bad_magic, 0, 1});
}

TEST(DecoderErrorTest, AnotherVersionIsUnsupportedAtByteTwo) {
  expect_error_in_every_split({"version 2", golden_with(0, 2, 0x02), DecodeError::unsupported_version, 2, 3});
  expect_error_in_every_split({"version 0", {0xA5, 0x5A, 0x00}, DecodeError::unsupported_version, 2, 3});
}

TEST(DecoderErrorTest, AnUnknownTypeIsRefusedAtByteThree) {
  expect_error_in_every_split({"type 5", golden_with(0, 3, 0x05), DecodeError::unknown_type, 3, 4});
}

TEST(DecoderErrorTest, AnUndefinedFlagIsRefusedAtTheByteHoldingIt) {
  expect_error_in_every_split({"bit 1", golden_with(0, 4, 0x03), DecodeError::bad_flags, 4, 5});
  expect_error_in_every_split({"bit 14", golden_with(0, 5, 0x40), DecodeError::bad_flags, 5, 6});
}

TEST(DecoderErrorTest, NonZeroReservedBytesAreRefused) {
  expect_error_in_every_split({"byte 6", golden_with(0, 6, 0x01), DecodeError::reserved_nonzero, 6, 7});
  expect_error_in_every_split({"byte 7", golden_with(0, 7, 0x10), DecodeError::reserved_nonzero, 7, 8});
}

TEST(DecoderErrorTest, AnOversizedFrameIsRefusedFromItsHeaderAlone) {
  // Only the header is sent: the error must come before any payload is awaited or buffered.
  ByteVector header(golden_frames()[0].bytes.begin(), golden_frames()[0].bytes.begin() + kHeaderSize);
  header[12] = 0xED;  // 65517 + 20 > 65536, known once byte 13 arrives
  header[13] = 0xFF;
  expect_error_in_every_split({"default maximum", header, DecodeError::frame_too_large, 13, 14});
  header[12] = 237;  // 237 + 20 > 256
  header[13] = 0;
  expect_error_in_every_split({"maximum 256", header, DecodeError::frame_too_large, 12, 13, 256});
  header[12] = 236;  // exactly 256: accepted, and the decoder waits for the payload
  Decoder d({256});
  const ExactCopy input(header.data(), header.size());
  EXPECT_EQ(d.put(input.bytes()).status, DecodeStatus::need_more);
}

TEST(DecoderErrorTest, ACorruptedByteIsACrcMismatchAtTheTrailer) {
  const ByteVector& hello = golden_frames()[0].bytes;
  const std::size_t trailer = hello.size() - kTrailerSize;
  expect_error_in_every_split(
      {"payload bit", golden_with(0, 20, hello[20] ^ 0x04), DecodeError::crc_mismatch, trailer, hello.size()});
  expect_error_in_every_split({"seq byte", golden_with(0, 9, 0x01), DecodeError::crc_mismatch, trailer, hello.size()});
  expect_error_in_every_split({"crc byte", golden_with(0, trailer + 3, hello[trailer + 3] ^ 0x80),
                               DecodeError::crc_mismatch, trailer, hello.size()});
}

TEST(DecoderErrorTest, APayloadTooShortForItsMessageIsTruncatedAtTheMissingField) {
  const ByteVector heartbeat = raw_frame(0x03, {1, 2, 3, 4, 5, 6, 7});
  expect_error_in_every_split(
      {"heartbeat of 7 bytes", heartbeat, DecodeError::truncated_payload, 16, heartbeat.size()});
  const ByteVector bye = raw_frame(0x40, {0, 0, 5, 0, 'a', 'b'});  // text claims 5 bytes, has 2
  expect_error_in_every_split({"short text", bye, DecodeError::truncated_payload, 16 + 2, bye.size()});
}

TEST(DecoderErrorTest, LeftoverBytesOrValuesOutOfRangeAreInconsistent) {
  const ByteVector heartbeat = raw_frame(0x03, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  expect_error_in_every_split(
      {"heartbeat of 9 bytes", heartbeat, DecodeError::inconsistent_payload, 16 + 8, heartbeat.size()});
  const ByteVector bye = raw_frame(0x40, {9, 0, 0, 0});
  expect_error_in_every_split({"bye reason 9", bye, DecodeError::inconsistent_payload, 16, bye.size()});
}

TEST(DecoderErrorTest, AnErrorIsStickyUntilReset) {
  ByteVector stream = golden_with(0, 0, 0x00);
  Decoder d;
  const ExactCopy bad(stream.data(), stream.size());
  const DecodeResult first = d.put(bad.bytes());
  ASSERT_EQ(first.status, DecodeStatus::error);
  const ExactCopy ok(good().bytes.data(), good().bytes.size());
  for (int i = 0; i < 3; ++i) {
    const DecodeResult again = d.put(ok.bytes());
    EXPECT_EQ(again.status, DecodeStatus::error);
    EXPECT_EQ(again.error, DecodeError::bad_magic);
    EXPECT_EQ(again.error_offset, 0u);
    EXPECT_EQ(again.consumed, 0u);
    EXPECT_EQ(d.stream_offset(), 1u);
  }
  d.reset();
  const DecodeResult after = d.put(ok.bytes());
  EXPECT_EQ(after.status, DecodeStatus::frame);
  EXPECT_EQ(d.stream_offset(), ok.bytes().size());
}

TEST(DecoderErrorTest, ResetDropsAHalfReceivedFrame) {
  const ByteVector& hello = golden_frames()[0].bytes;
  Decoder d;
  const ExactCopy half(hello.data(), 20);
  EXPECT_EQ(d.put(half.bytes()).status, DecodeStatus::need_more);
  EXPECT_EQ(d.buffered(), 20u);
  d.reset();
  EXPECT_EQ(d.buffered(), 0u);
  const ExactCopy whole(hello.data(), hello.size());
  EXPECT_EQ(d.put(whole.bytes()).status, DecodeStatus::frame);
}

TEST(DecoderErrorTest, ErrorsHaveNames) {
  const std::pair<DecodeError, const char*> names[] = {
      {DecodeError::none, "none"},
      {DecodeError::bad_magic, "bad_magic"},
      {DecodeError::unsupported_version, "unsupported_version"},
      {DecodeError::unknown_type, "unknown_type"},
      {DecodeError::bad_flags, "bad_flags"},
      {DecodeError::reserved_nonzero, "reserved_nonzero"},
      {DecodeError::frame_too_large, "frame_too_large"},
      {DecodeError::crc_mismatch, "crc_mismatch"},
      {DecodeError::truncated_payload, "truncated_payload"},
      {DecodeError::inconsistent_payload, "inconsistent_payload"},
  };
  for (const auto& [e, name] : names) EXPECT_STREQ(to_string(e), name);
}

// ---- Limits and resources ------------------------------------------------------------------

TEST(DecoderTest, TheMaximumFrameSizeHasAFloor) {
  EXPECT_EQ(Decoder({10}).frame_max_bytes(), kFrameMaxBytesMin);
  EXPECT_EQ(Decoder().frame_max_bytes(), kDefaultFrameMaxBytes);
  EXPECT_EQ(Decoder({100000}).frame_max_bytes(), 100000u);
}

TEST(DecoderTest, AFrameOfExactlyTheMaximumDecodesWholeAndInEverySplit) {
  const std::size_t max = 300;
  const ByteVector samples(max - kFrameOverhead - 16, 0x77);
  ByteVector frame(max);
  ASSERT_TRUE(encode(Telemetry{1, 2, 3, samples}, 1, frame, 0, max));
  for (std::size_t cut = 0; cut <= frame.size(); ++cut) {
    const Outcome out = feed_split(frame, {cut}, {max});
    ASSERT_EQ(out.error, DecodeError::none) << "cut at " << cut;
    ASSERT_EQ(out.frames.size(), 1u) << "cut at " << cut;
  }
}

TEST(DecoderTest, DecodingAllocatesNothingAfterConstruction) {
  const ByteVector stream = golden_stream();
  std::vector<ExactCopy> pieces;
  for (std::size_t at = 0; at < stream.size(); at += 7) {
    pieces.emplace_back(stream.data() + at, std::min<std::size_t>(7, stream.size() - at));
  }
  Decoder d;
  std::size_t frames = 0;
  const std::size_t before = testing::allocation_count();
  for (int round = 0; round < 10; ++round) {
    for (const ExactCopy& piece : pieces) {
      Bytes rest = piece.bytes();
      for (DecodeResult r = d.put(rest); !rest.empty(); r = d.put(rest)) {
        rest = rest.subspan(r.consumed);
        frames += r.status == DecodeStatus::frame;
      }
    }
  }
  EXPECT_EQ(testing::allocation_count(), before);
  EXPECT_EQ(frames, 10 * golden_frames().size());
}

// The fuzzer's seed corpus is the golden frames behind two control bytes; keep them in step.
TEST(DecoderTest, TheFuzzSeedCorpusHoldsEveryGoldenFrame) {
  for (const GoldenFrame& g : golden_frames()) {
    const std::string path = std::string(IOCPSIM_DECODER_CORPUS_DIR) + "/golden_" + g.name;
    std::ifstream file(path, std::ios::binary);
    ASSERT_TRUE(file) << "missing " << path;
    const ByteVector seed{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    ASSERT_EQ(seed.size(), g.bytes.size() + 2) << path;
    EXPECT_EQ(ByteVector(seed.begin() + 2, seed.end()), g.bytes) << path;
  }
}

TEST(DecoderTest, AMovedDecoderKeepsItsHalfReceivedFrame) {
  const ByteVector& hello = golden_frames()[0].bytes;
  Decoder a;
  const ExactCopy first(hello.data(), 10), rest(hello.data() + 10, hello.size() - 10);
  ASSERT_EQ(a.put(first.bytes()).status, DecodeStatus::need_more);
  Decoder b(std::move(a));
  const DecodeResult r = b.put(rest.bytes());
  ASSERT_EQ(r.status, DecodeStatus::frame);
  EXPECT_EQ(describe(r.frame.message), describe(golden_frames()[0].message));
  EXPECT_EQ(b.stream_offset(), hello.size());
}

}  // namespace
}  // namespace iocpsim::protocol
