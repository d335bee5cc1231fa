// Sans-IO frame decoder: feed it bytes as they arrive, in any split; it answers
// "frame", "need more" or a typed error. It performs no I/O and, once constructed,
// no allocation: its reassembly buffer is sized to the maximum frame at construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "iocpsim/protocol/frame.hpp"

namespace iocpsim::protocol {

enum class DecodeError : std::uint8_t {
  none = 0,
  bad_magic,             // bytes 0..1 are not A5 5A
  unsupported_version,   // byte 2 is not a version we speak
  unknown_type,          // byte 3 names no message type
  bad_flags,             // a flag bit not defined by this version is set
  reserved_nonzero,      // header bytes 6..7 must be zero
  frame_too_large,       // payload_len + overhead exceeds the configured maximum (checked before buffering)
  crc_mismatch,          // CRC-32C of header+payload differs from the trailer
  truncated_payload,     // the payload ends before a field it must contain
  inconsistent_payload,  // bytes left over after the last field, or a field value out of range
};
const char* to_string(DecodeError e) noexcept;  // "bad_magic", ...

enum class DecodeStatus : std::uint8_t { frame, need_more, error };

struct DecodeResult {
  DecodeStatus status = DecodeStatus::need_more;
  std::size_t consumed = 0;  // bytes of the input taken by this call
  Frame frame{};             // valid when status == frame, until the next put()/reset()
  DecodeError error = DecodeError::none;
  std::uint64_t error_offset = 0;  // stream offset of the byte at which the fault was detected
};

struct DecoderOptions {
  std::size_t frame_max_bytes = kDefaultFrameMaxBytes;  // clamped to >= kFrameMaxBytesMin
};

class Decoder {
 public:
  explicit Decoder(DecoderOptions options = {});
  ~Decoder();
  Decoder(Decoder&&) noexcept;
  Decoder& operator=(Decoder&&) noexcept;
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Consumes input up to the end of at most one frame and never reads past `input`.
  // Call again with the rest of the input while status == frame.
  // After an error the decoder stays failed (every put() repeats the error, consuming nothing)
  // until reset(): a byte stream that went wrong cannot be resynchronised safely.
  DecodeResult put(Bytes input);

  void reset();                                  // back to the start of a stream
  std::uint64_t stream_offset() const noexcept;  // bytes consumed since construction/reset
  std::size_t buffered() const noexcept;         // bytes of a partial frame held inside
  std::size_t frame_max_bytes() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decodes one message payload of the given type (used by the decoder; exposed for tests).
// On failure returns truncated_payload or inconsistent_payload and sets *fault_at to the
// payload offset of the offending byte.
DecodeError decode_payload(MessageType type, Bytes payload, Message& out, std::size_t* fault_at) noexcept;

}  // namespace iocpsim::protocol
