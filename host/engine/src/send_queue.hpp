// A connection's outgoing bytes: frames are encoded straight into `queued_`; a send takes the
// whole of it at once (several frames per WSASend) and owns that buffer until the send is done,
// so a send in flight never sees its memory move. Bounded in bytes; capacity is kept, so a warm
// queue does not allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::engine::detail {

class SendQueue {
 public:
  explicit SendQueue(std::size_t bytes_max) : bytes_max_(bytes_max) {}

  // Encodes `m` at the end of the queue. Fails with buffer_too_small when the queue has no room
  // for it (nothing is queued then).
  protocol::EncodeResult push(const protocol::Message& m, std::uint32_t seq, std::uint16_t flags,
                              std::size_t frame_max_bytes);

  // The bytes the next send should carry: the unsent rest of the current send, else everything
  // queued. Empty when there is nothing to send.
  std::span<std::uint8_t> next_chunk();
  // `n` bytes of the chunk went out (a short send leaves the rest for next_chunk()).
  void sent(std::size_t n);

  std::size_t bytes() const noexcept { return queued_.size() + sending_.size() - offset_; }
  bool empty() const noexcept { return bytes() == 0; }
  // Drops what no send has taken yet and returns its size. Bytes of a send still in flight stay
  // where they are (the I/O may still read them); its completion reports their fate.
  std::size_t discard_unsent(bool send_in_flight) noexcept;

 private:
  std::size_t bytes_max_;
  std::vector<std::uint8_t> queued_;
  std::vector<std::uint8_t> sending_;
  std::size_t offset_ = 0;  // first unsent byte of sending_
};

}  // namespace iocpsim::engine::detail
