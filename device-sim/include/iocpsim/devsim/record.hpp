// Delivery accounting: what one device sent and received, frame by frame.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/devsim/clock.hpp"
#include "iocpsim/protocol/messages.hpp"

namespace iocpsim::devsim {

struct SentFrame {
  DeviceTime at{};
  protocol::MessageType type{};
  std::uint32_t seq = 0;
  std::uint16_t channel = 0;      // telemetry only
  std::uint32_t channel_seq = 0;  // telemetry only
  std::string fault;              // "" for an intact frame, else "crc", "magic", "length"
};

struct ReceivedFrame {
  DeviceTime at{};
  std::uint32_t seq = 0;
  nlohmann::json message;  // message_to_json() of the decoded frame
};

// Frames count as sent when handed to the transport; a connection that closes before the
// transport wrote them loses them, and bytes_written tells how much actually left.
struct DeliveryRecord {
  std::vector<SentFrame> sent;
  std::vector<ReceivedFrame> received;
  std::uint64_t bytes_queued = 0;   // every byte handed to the transport, frames and raw bytes
  std::uint64_t bytes_written = 0;  // confirmed written by the transport
  std::uint64_t bytes_received = 0;
  std::uint32_t connections_accepted = 0;
  std::uint64_t telemetry_dropped = 0;      // background samples skipped: none since the send queue is bounded
  std::uint64_t send_queue_peak_bytes = 0;  // the most the send queue held unwritten
  std::uint32_t send_backpressure = 0;      // times the send queue was full and producers waited
  std::uint32_t decode_errors = 0;          // times the peer's bytes did not decode as a frame

  // channel_seq of every intact telemetry frame sent on `channel`, in order.
  std::vector<std::uint32_t> telemetry_seqs(std::uint16_t channel) const;
  std::size_t sent_count(protocol::MessageType type) const;
  std::size_t received_count(protocol::MessageType type) const;
  nlohmann::json to_json() const;  // a summary: counts per type, telemetry seq ranges per channel
};

}  // namespace iocpsim::devsim
