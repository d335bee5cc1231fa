#include "send_queue.hpp"

#include <utility>

namespace iocpsim::engine::detail {

protocol::EncodeResult SendQueue::push(const protocol::Message& m, std::uint32_t seq, std::uint16_t flags,
                                       std::size_t frame_max_bytes) {
  const std::size_t need = protocol::frame_size(m);
  if (bytes() + need > bytes_max_) {
    return {protocol::EncodeError::buffer_too_small, need};
  }
  const std::size_t at = queued_.size();
  queued_.resize(at + need);
  const protocol::EncodeResult r = protocol::encode(m, seq, std::span(queued_).subspan(at), flags, frame_max_bytes);
  queued_.resize(r ? at + r.size : at);
  return r;
}

std::span<std::uint8_t> SendQueue::next_chunk() {
  if (offset_ == sending_.size()) {
    sending_.clear();
    offset_ = 0;
    std::swap(queued_, sending_);
  }
  return std::span(sending_).subspan(offset_);
}

void SendQueue::sent(std::size_t n) {
  offset_ += n;
  if (offset_ > sending_.size()) offset_ = sending_.size();
}

std::size_t SendQueue::discard_unsent(bool send_in_flight) noexcept {
  std::size_t dropped = queued_.size();
  queued_.clear();
  if (!send_in_flight) {
    dropped += sending_.size() - offset_;
    sending_.clear();
    offset_ = 0;
  }
  return dropped;
}

}  // namespace iocpsim::engine::detail
