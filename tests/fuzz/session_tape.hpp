// The session fuzzer's input: a tape of instructions, each one byte and what it carries.
//   0x00..0x7f  n = byte+1: the next n bytes of the tape are bytes the device sent
//   0x80..0xbf  t = byte-0x80: time moves on by t*10 ms, then the session's deadlines run
//   0xc0..0xcf  the host's send takes (byte-0xc0)*64+1 bytes of the queue (a short send)
//   0xd0..0xdf  the application submits a command (timeout (byte-0xd0)*50 ms, 0: the default)
//   0xe0..0xff  the host's send takes everything queued
// Split anywhere and in any order: whatever the tape, the session's rules must hold.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace iocpsim::engine::testing {

inline constexpr std::uint8_t kTapeBytesMax = 0x80;  // per bytes instruction
inline constexpr std::uint8_t kTapeTime = 0x80;
inline constexpr std::uint8_t kTapeShortSend = 0xc0;
inline constexpr std::uint8_t kTapeCommand = 0xd0;
inline constexpr std::uint8_t kTapeSendAll = 0xe0;

// Appends `bytes` as bytes instructions.
inline void tape_bytes(std::vector<std::uint8_t>& tape, const std::uint8_t* bytes, std::size_t n) {
  while (n > 0) {
    const std::size_t take = std::min<std::size_t>(n, kTapeBytesMax);
    tape.push_back(static_cast<std::uint8_t>(take - 1));
    tape.insert(tape.end(), bytes, bytes + take);
    bytes += take;
    n -= take;
  }
}

// Appends time instructions for `ms` rounded down to 10 ms; returns the ms they cover.
inline std::int64_t tape_time(std::vector<std::uint8_t>& tape, std::int64_t ms) {
  for (std::int64_t steps = ms / 10; steps > 0;) {
    const std::int64_t take = std::min<std::int64_t>(steps, 0x3f);
    tape.push_back(static_cast<std::uint8_t>(kTapeTime + take));
    steps -= take;
  }
  return ms / 10 * 10;
}

}  // namespace iocpsim::engine::testing
