// Private pieces of the scenario runner.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/engine/event_log.hpp"
#include "iocpsim/iocp/clock.hpp"
#include "iocpsim/iocp/journal.hpp"
#include "iocpsim/scenario/runner.hpp"
#include "iocpsim/scenario/scenario.hpp"
#include "iocpsim/world/sync.hpp"

namespace iocpsim::scenario::detail {

// Keeps every engine event and wakes the run loop when one arrives.
class RunSink final : public engine::EventSink {
 public:
  RunSink(const iocp::Clock& clock, std::int64_t epoch_us) : clock_(clock), epoch_us_(epoch_us) {}
  void write(const engine::Event& e) override;
  std::uint64_t count(const EventCount& what) const;
  // Returns when an event arrived after `seen` events, or `timeout` of the run's time later.
  void wait(std::size_t seen, std::chrono::microseconds timeout) const;
  std::size_t size() const;
  std::vector<engine::Event> events() const;
  std::vector<std::int64_t> times_us() const;

 private:
  const iocp::Clock& clock_;
  std::int64_t epoch_us_;
  std::vector<std::int64_t> times_us_;
  mutable world::Mutex mutex_;
  mutable world::CondVar changed_;
  std::vector<engine::Event> events_;
};

// A socket the engine created, named for the timeline.
struct SocketTag {
  std::int64_t t_us = 0;
  std::uintptr_t socket = 0;
  std::string device;
};

struct DeviceLogLine {
  std::int64_t t_us = 0;
  nlohmann::json line;
};

// What the timeline is assembled from; every time is already on the run's axis (us).
struct TimelineInput {
  std::string scenario;
  std::uint64_t seed = 0;
  std::vector<std::string> devices;
  std::int64_t epoch_us = 0;  // engine/shim clock at the run's start
  std::vector<engine::Event> events;
  std::vector<std::int64_t> event_times_us;  // on the run's axis
  std::vector<iocp::JournalEntry> journal;   // time_us on the engine clock
  std::vector<SocketTag> sockets;            // t_us on the engine clock
  std::vector<DeviceLogLine> device_log;     // t_us since the run's start
  std::vector<TimelineEntry> runner;         // already on the run's axis
};

Timeline assemble_timeline(const TimelineInput& input);

}  // namespace iocpsim::scenario::detail
