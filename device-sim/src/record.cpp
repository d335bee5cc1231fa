#include "iocpsim/devsim/record.hpp"

#include <map>

#include "iocpsim/devsim/message_json.hpp"

namespace iocpsim::devsim {

std::vector<std::uint32_t> DeliveryRecord::telemetry_seqs(std::uint16_t channel) const {
  std::vector<std::uint32_t> out;
  for (const auto& f : sent) {
    if (f.type == protocol::MessageType::telemetry && f.channel == channel && f.fault.empty()) {
      out.push_back(f.channel_seq);
    }
  }
  return out;
}

std::size_t DeliveryRecord::sent_count(protocol::MessageType type) const {
  std::size_t n = 0;
  for (const auto& f : sent) n += f.type == type ? 1 : 0;
  return n;
}

std::size_t DeliveryRecord::received_count(protocol::MessageType type) const {
  const std::string name = protocol::to_string(type);
  std::size_t n = 0;
  for (const auto& f : received) n += f.message.value("type", "") == name ? 1 : 0;
  return n;
}

nlohmann::json DeliveryRecord::to_json() const {
  std::map<std::string, std::size_t> sent_by_type;
  std::map<std::string, std::size_t> received_by_type;
  std::map<std::uint16_t, std::vector<std::uint32_t>> channels;
  for (const auto& f : sent) {
    ++sent_by_type[protocol::to_string(f.type)];
    if (f.type == protocol::MessageType::telemetry && f.fault.empty()) channels[f.channel].push_back(f.channel_seq);
  }
  for (const auto& f : received) ++received_by_type[f.message.value("type", "?")];
  nlohmann::json telemetry = nlohmann::json::object();
  for (const auto& [channel, seqs] : channels) {
    telemetry[std::to_string(channel)] = {
        {"count", seqs.size()}, {"first_seq", seqs.front()}, {"last_seq", seqs.back()}};
  }
  return {{"sent", sent_by_type},
          {"received", received_by_type},
          {"telemetry", telemetry},
          {"bytes_queued", bytes_queued},
          {"bytes_written", bytes_written},
          {"bytes_received", bytes_received},
          {"connections_accepted", connections_accepted},
          {"telemetry_dropped", telemetry_dropped},
          {"send_queue_peak_bytes", send_queue_peak_bytes},
          {"send_backpressure", send_backpressure},
          {"decode_errors", decode_errors}};
}

}  // namespace iocpsim::devsim
