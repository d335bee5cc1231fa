// libFuzzer target for the frame decoder. The first two input bytes choose the decoder's maximum
// frame size and how the rest is cut into pieces; the rest is the byte stream. Checked on every
// input: the decoder never takes more than it is given, a split stream decodes exactly like the
// whole stream, every decoded frame re-encodes to the very same bytes, and errors are sticky.
// A custom mutator repairs the CRC of mutated frames half of the time, so that mutations reach
// the payload decoder instead of stopping at crc_mismatch.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "iocpsim/protocol/crc32c.hpp"
#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/encoder.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

using namespace iocpsim::protocol;

void require(bool ok) {
  if (!ok) std::abort();
}

struct Outcome {
  std::vector<std::vector<std::uint8_t>> frames;  // raw bytes of each frame
  DecodeError error = DecodeError::none;
  std::uint64_t error_offset = 0;
  std::uint64_t consumed = 0;
};

void check_frame(const Frame& f) {
  require(f.header.version == kVersion);
  require(f.raw.size() == kFrameOverhead + f.header.payload_len);
  require(type_of(f.message) == f.header.type);
  std::vector<std::uint8_t> again(frame_size(f.message));
  const EncodeResult r = encode(f.message, f.header.seq, again, f.header.flags, f.raw.size());
  require(r && r.size == f.raw.size());
  require(std::memcmp(again.data(), f.raw.data(), f.raw.size()) == 0);
}

void check_sticky(Decoder& d, const DecodeResult& failed, const std::uint8_t* any, std::size_t n) {
  const std::uint64_t offset = d.stream_offset();
  const DecodeResult again = d.put(Bytes(any, n));
  require(again.status == DecodeStatus::error && again.error == failed.error);
  require(again.error_offset == failed.error_offset && again.consumed == 0);
  require(d.stream_offset() == offset);
}

// Feeds one piece, from an exact-size copy so that AddressSanitizer sees any read past its end.
void feed(Decoder& d, const std::uint8_t* data, std::size_t n, Outcome& out) {
  const std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[n == 0 ? 1 : n]);
  if (n != 0) std::memcpy(copy.get(), data, n);
  std::size_t at = 0;
  while (out.error == DecodeError::none) {
    const DecodeResult r = d.put(Bytes(copy.get() + at, n - at));
    require(r.consumed <= n - at);
    at += r.consumed;
    out.consumed += r.consumed;
    require(d.stream_offset() == out.consumed);
    require(d.buffered() < d.frame_max_bytes());
    if (r.status == DecodeStatus::error) {
      require(r.error != DecodeError::none && r.error_offset < out.consumed + 1);
      out.error = r.error;
      out.error_offset = r.error_offset;
      check_sticky(d, r, copy.get(), n);
      return;
    }
    if (r.status == DecodeStatus::need_more) {
      require(at == n);
      return;
    }
    check_frame(r.frame);
    out.frames.emplace_back(r.frame.raw.begin(), r.frame.raw.end());
  }
}

bool same(const Outcome& a, const Outcome& b) {
  return a.frames == b.frames && a.error == b.error && a.error_offset == b.error_offset && a.consumed == b.consumed;
}

// Rewrites the CRC of each frame from the start of the stream whose header is whole and whose
// length fits in the input; stops at the first one that does not.
void repair_crcs(std::uint8_t* stream, std::size_t size) {
  std::size_t at = 0;
  while (size - at >= kFrameOverhead) {
    std::uint8_t* f = stream + at;
    const std::size_t payload = f[12] | (f[13] << 8) | (std::size_t{f[14]} << 16) | (std::size_t{f[15]} << 24);
    if (payload > size - at - kFrameOverhead) return;
    const std::size_t covered = kHeaderSize + payload;
    const std::uint32_t crc = crc32c(0, f, covered);
    for (int i = 0; i < 4; ++i) f[covered + i] = static_cast<std::uint8_t>(crc >> (8 * i));
    at += covered + kTrailerSize;
  }
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  size = LLVMFuzzerMutate(data, size, max_size);
  if (size > 2 && (seed & 1) != 0) repair_crcs(data + 2, size - 2);
  return size;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const DecoderOptions options{(data[0] & 1) ? kFrameMaxBytesMin : kDefaultFrameMaxBytes};
  const unsigned max_piece = 1u << ((data[0] >> 1) % 12);  // 1 byte .. 2 KiB
  std::uint32_t cut = data[1] * 2654435761u + 1;
  data += 2;
  size -= 2;

  Decoder whole_decoder(options);
  Outcome whole;
  feed(whole_decoder, data, size, whole);

  Decoder split_decoder(options);
  Outcome split;
  for (std::size_t at = 0; at < size && split.error == DecodeError::none;) {
    cut ^= cut << 13, cut ^= cut >> 17, cut ^= cut << 5;  // xorshift: a fixed cut pattern per input
    const std::size_t piece = std::min<std::size_t>(1 + cut % max_piece, size - at);
    feed(split_decoder, data + at, piece, split);
    at += piece;
  }
  require(same(whole, split));
  return 0;
}
