// The engine's ProtocolSession without sockets: a driver that records what the session asks for,
// the checks every session run must pass whatever the input, and a SessionPair that plays a
// device-sim device against a session in memory, on virtual time. Used by the session tests, the
// session fuzzer and the generator of its seed corpus.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/devsim/device.hpp"
#include "iocpsim/engine/event_catalogue.hpp"
#include "protocol_session.hpp"

namespace iocpsim::engine::testing {

struct RecordedEvent {
  std::int64_t t_ms;
  std::string name;
  nlohmann::json fields;
};

class RecordingDriver final : public detail::SessionDriver {
 public:
  std::int64_t now_ms = 0;  // stamped on each event
  std::vector<RecordedEvent> events;
  std::size_t send_requests = 0;
  std::size_t handshakes = 0;
  std::size_t telemetry_frames = 0;
  std::size_t device_events = 0;
  std::vector<CommandOutcome> outcomes;

  void event(const char* name, nlohmann::json fields) override { events.push_back({now_ms, name, std::move(fields)}); }
  void send_queued() override { ++send_requests; }
  void handshake_done(std::int64_t) override { ++handshakes; }
  void telemetry(const protocol::Telemetry&, bool) override { ++telemetry_frames; }
  void device_event(const protocol::Event&) override { ++device_events; }
  void command_done(CommandCallback done, CommandOutcome outcome, std::uint16_t,
                    std::span<const std::uint8_t>) override {
    outcomes.push_back(outcome);
    if (done) done(CommandResult{outcome, 0, {}});
  }

  std::size_t count(std::string_view name) const {
    return static_cast<std::size_t>(
        std::count_if(events.begin(), events.end(), [&](const auto& e) { return e.name == name; }));
  }
  const RecordedEvent* last(std::string_view name) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->name == name) return &*it;
    }
    return nullptr;
  }
};

// The events a session closes with: the one it wrote last before returning Verdict::close.
inline bool is_closing_event(std::string_view name) {
  for (std::string_view n : {"protocol_error", "handshake_failed", "handshake_timeout", "stall_detected",
                             "peer_not_reading", "heartbeat_timeout"}) {
    if (n == name) return true;
  }
  return false;
}

// Every event is one of the catalogue's, with only its fields. Empty when all hold.
inline std::string catalogue_problem(const std::vector<RecordedEvent>& events, std::size_t from = 0) {
  for (std::size_t i = from; i < events.size(); ++i) {
    const RecordedEvent& e = events[i];
    const EventKind* kind = find_event_kind(e.name);
    if (kind == nullptr) return "event " + e.name + " is not in the catalogue";
    if (std::string problem = event_fields_problem(*kind, e.fields); !problem.empty()) return problem;
  }
  return {};
}

// The rate limit: in any span of event_window_ms, a limited event is written at most twice
// event_burst_max times (a window's burst at its end and the next window's at its start).
inline std::string rate_limit_problem(const std::vector<RecordedEvent>& events, const EngineOptions& o) {
  for (const char* limited : detail::kLimitedEvents) {
    std::deque<std::int64_t> recent;
    for (const RecordedEvent& e : events) {
      if (e.name != limited) continue;
      recent.push_back(e.t_ms);
      while (!recent.empty() && e.t_ms - recent.front() >= o.event_window_ms) recent.pop_front();
      if (recent.size() > 2u * o.event_burst_max) {
        return std::string(limited) + " written " + std::to_string(recent.size()) + " times within " +
               std::to_string(o.event_window_ms) + " ms";
      }
    }
  }
  return {};
}

// A device-sim device and a ProtocolSession joined in memory: what one sends the other receives
// at once, in order; time moves only to the next deadline of either side. The device's
// connection ops (close, reset, half-close) end the play, as its FIN or RST would.
class SessionPair {
  // First: the session refers to them.
  const DeviceConfig config_;
  const EngineOptions options_;

 public:
  SessionPair(const devsim::DeviceSpec& spec, DeviceConfig config = {}, EngineOptions options = {},
              std::uint64_t seed = 1)
      : config_(std::move(config)),
        options_(std::move(options)),
        session(config_, options_),
        queue(config_.send_queue_max_bytes),
        device_(spec, clock_, seed) {}

  // Plays until `ms` of virtual time have passed, or either side ended the connection.
  void run_for(std::int64_t ms) {
    if (!started_) {
      started_ = true;
      device_.start();
      device_.on_accepted();
      driver.now_ms = now_;
      session.on_connected(now_, queue, driver);
    }
    const std::int64_t end = now_ + ms;
    while (!ended() && now_ < end) {
      if (step()) continue;
      std::int64_t next = std::min(end, session.next_deadline_ms());
      if (const auto d = device_.next_deadline()) {
        next = std::min(next, std::chrono::duration_cast<std::chrono::milliseconds>(*d).count() + 1);
      }
      now_ = std::max(now_ + 1, next);
      clock_.set(std::chrono::milliseconds(now_));
      driver.now_ms = now_;
      if (session.on_time(now_, false, driver) == detail::Verdict::close) close();
      device_.on_time();
    }
  }

  bool ended() const { return closed_by_host || closed_by_device; }
  std::int64_t now_ms() const { return now_; }

  detail::ProtocolSession session;
  detail::SendQueue queue;
  RecordingDriver driver;
  bool closed_by_host = false;                                      // the session returned Verdict::close
  bool closed_by_device = false;                                    // the device closed, reset or half-closed
  std::vector<std::uint8_t> device_bytes;                           // everything the device sent, in order
  std::vector<std::pair<std::int64_t, std::size_t>> device_writes;  // (when, how many bytes)

 private:
  // Moves bytes one way or the other; false when neither side had anything to move.
  bool step() {
    bool moved = false;
    for (devsim::Action& a : device_.take_actions()) {
      if (ended()) break;
      if (auto* send = std::get_if<devsim::SendBytes>(&a)) {
        device_bytes.insert(device_bytes.end(), send->bytes.begin(), send->bytes.end());
        device_writes.emplace_back(now_, send->bytes.size());
        const std::size_t n = send->bytes.size();
        if (session.on_bytes(now_, protocol::Bytes(send->bytes.data(), n), driver) == detail::Verdict::close) close();
        device_.on_written(n);
        moved = true;
      } else if (const auto* op = std::get_if<devsim::ConnectionOp>(&a); op != nullptr &&
                                                                         *op != devsim::ConnectionOp::pause_reading &&
                                                                         *op != devsim::ConnectionOp::resume_reading) {
        closed_by_device = true;
      }
    }
    if (ended() || !device_.wants_input()) return moved;
    const auto chunk = queue.next_chunk();
    if (chunk.empty()) return moved;
    const std::vector<std::uint8_t> copy(chunk.begin(), chunk.end());
    queue.sent(copy.size());
    session.on_sent(now_, copy.size(), queue.empty());
    device_.on_bytes(protocol::Bytes(copy.data(), copy.size()));
    return true;
  }

  void close() {
    closed_by_host = true;
    session.report_suppressed(driver);
    session.on_closed(CommandOutcome::connection_lost, driver);
  }

  devsim::ManualClock clock_;
  devsim::Device device_;
  std::int64_t now_ = 0;
  bool started_ = false;
};

}  // namespace iocpsim::engine::testing
