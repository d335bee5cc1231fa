// Delivery accounting: every intact telemetry sample a device sent was delivered exactly once,
// or its loss was reported (a telemetry_gap covering it, or a connection loss after it was sent),
// and each channel's samples were delivered in the order of their sequence numbers.
#include <map>
#include <tuple>

#include "iocpsim/scenario/expect.hpp"

namespace iocpsim::scenario {
namespace {

// Without runner times, engine times are whole milliseconds: an event may read up to 1 ms early.
constexpr std::int64_t kClockSlackUs = 2000;
// A broken stream can get thousands of samples wrong; the first ones tell the story.
constexpr std::size_t kMaxProblems = 10;

using Key = std::tuple<std::string, std::uint16_t, std::uint32_t>;  // device, channel, channel_seq

std::string sample_name(const Key& k) {
  return std::get<0>(k) + " channel " + std::to_string(std::get<1>(k)) + " seq " + std::to_string(std::get<2>(k));
}

bool loss_reported(const RunResult& run, const std::string& device, const SentSample& s) {
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    const engine::Event& e = run.events[i];
    if (e.device != device) continue;
    if (e.name == "telemetry_gap" && e.fields.value("channel", -1) == s.channel &&
        e.fields.value("expected", std::int64_t{-1}) <= s.channel_seq &&
        s.channel_seq < e.fields.value("got", std::int64_t{0})) {
      return true;
    }
    if (e.name == "socket_closed" && run.event_us(i) + kClockSlackUs >= s.sent_us) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> delivery_problems(const RunResult& run) {
  std::vector<std::string> out;
  std::map<Key, std::size_t> delivered;
  for (const DeliveredSample& d : run.delivered) ++delivered[{d.device, d.channel, d.channel_seq}];
  std::map<Key, const SentSample*> sent;
  for (const auto& [device, samples] : run.sent) {
    for (const SentSample& s : samples) sent[{device, s.channel, s.channel_seq}] = &s;
  }
  for (const auto& [key, count] : delivered) {
    if (count > 1) out.push_back(sample_name(key) + " was delivered " + std::to_string(count) + " times");
    if (sent.count(key) == 0) out.push_back(sample_name(key) + " was delivered but never sent");
  }
  // Whatever the workers' interleaving, a channel's samples reach the application in the order the
  // device sent them (which need not be their sequence numbers' order: a gap steps back).
  std::map<Key, std::size_t> sent_order;
  for (const auto& [device, samples] : run.sent) {
    for (std::size_t i = 0; i < samples.size(); ++i) {
      sent_order.try_emplace({device, samples[i].channel, samples[i].channel_seq}, i);
    }
  }
  std::map<std::pair<std::string, std::uint16_t>, std::pair<std::size_t, std::uint32_t>> last;  // order, seq
  for (const DeliveredSample& d : run.delivered) {
    const auto order = sent_order.find({d.device, d.channel, d.channel_seq});
    if (order == sent_order.end()) continue;  // never sent: reported above
    const auto [it, first] = last.try_emplace({d.device, d.channel}, order->second, d.channel_seq);
    if (first) continue;
    if (order->second < it->second.first) {
      out.push_back(sample_name({d.device, d.channel, d.channel_seq}) + " was delivered after seq " +
                    std::to_string(it->second.second) + ", which was sent after it (out of order)");
      continue;
    }
    it->second = {order->second, d.channel_seq};
  }
  for (const auto& [key, s] : sent) {
    if (delivered.count(key) != 0 || loss_reported(run, std::get<0>(key), *s)) continue;
    out.push_back(sample_name(key) + ", sent at " + run_time(s->sent_us) +
                  ", was neither delivered nor reported lost (no telemetry_gap covers it, no socket_closed followed)");
  }
  if (out.size() > kMaxProblems) {
    const std::size_t more = out.size() - kMaxProblems;
    out.resize(kMaxProblems);
    out.push_back("... and " + std::to_string(more) + " more samples");
  }
  return out;
}

}  // namespace iocpsim::scenario
