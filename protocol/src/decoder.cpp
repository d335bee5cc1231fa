#include "iocpsim/protocol/decoder.hpp"

#include <algorithm>
#include <cstring>

#include "frame_header.hpp"
#include "iocpsim/protocol/crc32c.hpp"
#include "wire.hpp"

namespace iocpsim::protocol {

const char* to_string(DecodeError e) noexcept {
  switch (e) {
    case DecodeError::none:
      return "none";
    case DecodeError::bad_magic:
      return "bad_magic";
    case DecodeError::unsupported_version:
      return "unsupported_version";
    case DecodeError::unknown_type:
      return "unknown_type";
    case DecodeError::bad_flags:
      return "bad_flags";
    case DecodeError::reserved_nonzero:
      return "reserved_nonzero";
    case DecodeError::frame_too_large:
      return "frame_too_large";
    case DecodeError::crc_mismatch:
      return "crc_mismatch";
    case DecodeError::truncated_payload:
      return "truncated_payload";
    case DecodeError::inconsistent_payload:
      return "inconsistent_payload";
  }
  return "unknown";
}

// Every step writes into the one DecodeResult that put() returns, so that the result, which is
// large, is built in place and never copied.
struct Decoder::Impl {
  explicit Impl(std::size_t max_bytes)
      : frame_max_bytes(std::max(max_bytes, kFrameMaxBytesMin)),
        buffer(std::make_unique_for_overwrite<std::uint8_t[]>(frame_max_bytes)) {}

  void put(Bytes input, DecodeResult& r) noexcept;
  void put_fresh(Bytes input, DecodeResult& r) noexcept;
  void put_partial(Bytes input, DecodeResult& r) noexcept;
  void finish(const std::uint8_t* f, std::size_t whole, std::uint64_t frame_start, DecodeResult& r) noexcept;
  void fail(DecodeError e, std::uint64_t at, DecodeResult& r) noexcept;
  void hold(Bytes input, std::size_t at, std::size_t n, DecodeResult& r) noexcept;

  std::size_t frame_max_bytes;
  std::unique_ptr<std::uint8_t[]> buffer;  // a frame split across puts, reassembled
  std::size_t held = 0;                    // bytes of that frame in `buffer`
  std::size_t frame_bytes = 0;             // its whole size, once its header is complete
  std::uint64_t offset = 0;                // stream offset of the next byte to consume
  DecodeError error = DecodeError::none;   // sticky until reset()
  std::uint64_t error_offset = 0;
  // Each result starts as a copy of this one. Built in place, a result is cleared with
  // `rep stos` by GCC, which costs more than decoding a small frame; a copy is a few moves.
  const DecodeResult blank{};
};

void Decoder::Impl::put(Bytes input, DecodeResult& r) noexcept {
  if (error != DecodeError::none) return fail(error, error_offset, r);
  if (held == 0) {
    put_fresh(input, r);
  } else {
    put_partial(input, r);
  }
  offset += r.consumed;
}

// Nothing held: a frame wholly inside `input` is decoded where it lies, without a copy.
void Decoder::Impl::put_fresh(Bytes input, DecodeResult& r) noexcept {
  const std::uint8_t* p = input.data();
  const std::size_t n = input.size();
  if (n < kHeaderSize || !detail::header_acceptable(p, frame_max_bytes)) {
    const detail::HeaderFault fault = detail::check_header(p, 0, std::min(n, kHeaderSize), frame_max_bytes);
    if (fault.error != DecodeError::none) {
      r.consumed = fault.at + 1;
      return fail(fault.error, offset + fault.at, r);
    }
    if (n < kHeaderSize) return hold(input, 0, n, r);
  }
  const std::size_t whole = kFrameOverhead + detail::load_le32(p + 12);
  if (n >= whole) {
    r.consumed = whole;
    return finish(p, whole, offset, r);
  }
  frame_bytes = whole;
  hold(input, 0, n, r);
}

// Copies input[at, at + n) behind the bytes already held.
void Decoder::Impl::hold(Bytes input, std::size_t at, std::size_t n, DecodeResult& r) noexcept {
  if (n != 0) std::memcpy(buffer.get() + held, input.data() + at, n);
  held += n;
  r.consumed = at + n;
}

// Part of a frame is held: complete its header, then its body, from `input`.
void Decoder::Impl::put_partial(Bytes input, DecodeResult& r) noexcept {
  const std::uint64_t frame_start = offset - held;
  std::size_t used = 0;
  if (held < kHeaderSize) {
    used = std::min(kHeaderSize - held, input.size());
    if (used != 0) std::memcpy(buffer.get() + held, input.data(), used);  // data() may be null
    const detail::HeaderFault fault = detail::check_header(buffer.get(), held, held + used, frame_max_bytes);
    if (fault.error != DecodeError::none) {
      r.consumed = fault.at - held + 1;
      return fail(fault.error, frame_start + fault.at, r);
    }
    held += used;
    r.consumed = used;
    if (held < kHeaderSize) return;
    frame_bytes = kFrameOverhead + detail::load_le32(buffer.get() + 12);
  }
  hold(input, used, std::min(frame_bytes - held, input.size() - used), r);
  if (held < frame_bytes) return;
  held = 0;
  finish(buffer.get(), frame_bytes, frame_start, r);
}

// The frame [f, f + whole) is complete; r.consumed is already set.
void Decoder::Impl::finish(const std::uint8_t* f, std::size_t whole, std::uint64_t frame_start,
                           DecodeResult& r) noexcept {
  const std::size_t covered = whole - kTrailerSize;
  if (crc32c(0, f, covered) != detail::load_le32(f + covered)) {
    return fail(DecodeError::crc_mismatch, frame_start + covered, r);
  }
  r.frame.header = detail::parse_header(f);
  std::size_t fault_at = 0;
  const DecodeError e =
      decode_payload(r.frame.header.type, Bytes(f + kHeaderSize, covered - kHeaderSize), r.frame.message, &fault_at);
  if (e != DecodeError::none) return fail(e, frame_start + kHeaderSize + fault_at, r);
  r.status = DecodeStatus::frame;
  r.frame.raw = Bytes(f, whole);
}

// Fails the stream; r.consumed says how far this call got.
void Decoder::Impl::fail(DecodeError e, std::uint64_t at, DecodeResult& r) noexcept {
  error = e;
  error_offset = at;
  r.status = DecodeStatus::error;
  r.error = e;
  r.error_offset = at;
}

Decoder::Decoder(DecoderOptions options) : impl_(std::make_unique<Impl>(options.frame_max_bytes)) {}
Decoder::~Decoder() = default;
Decoder::Decoder(Decoder&&) noexcept = default;
Decoder& Decoder::operator=(Decoder&&) noexcept = default;

DecodeResult Decoder::put(Bytes input) {
  DecodeResult r = impl_->blank;
  impl_->put(input, r);
  return r;
}

void Decoder::reset() {
  impl_->held = 0;
  impl_->frame_bytes = 0;
  impl_->offset = 0;
  impl_->error = DecodeError::none;
  impl_->error_offset = 0;
}

std::uint64_t Decoder::stream_offset() const noexcept { return impl_->offset; }
std::size_t Decoder::buffered() const noexcept { return impl_->held; }
std::size_t Decoder::frame_max_bytes() const noexcept { return impl_->frame_max_bytes; }

}  // namespace iocpsim::protocol
