// The engine's event log: every decision is one Event with a stable name (host/engine/EVENTS.md)
// and fields. Sinks receive every event; counters count them per device and name.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace iocpsim::engine {

inline constexpr int kEventLogVersion = 1;

struct Event {
  std::int64_t t_ms = 0;
  std::string name;
  std::string device;  // empty for engine-wide events
  nlohmann::json fields = nlohmann::json::object();

  // One JSON object: {"v":1,"t_ms":..,"event":..,"device":..,<fields>}.
  nlohmann::json to_json() const;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void write(const Event& e) = 0;
};

// Writes one JSON line per event.
class JsonLinesSink final : public EventSink {
 public:
  explicit JsonLinesSink(std::ostream& out) : out_(out) {}
  void write(const Event& e) override;

 private:
  std::mutex mutex_;
  std::ostream& out_;
};

// Keeps every event in memory; tests wait on it.
class MemorySink final : public EventSink {
 public:
  void write(const Event& e) override;

  // Waits until an event `name` for `device` (any device if empty) has been seen `count` times.
  // The ceiling is generous: it bounds a broken test, it is not what the test waits for.
  bool wait_for(const std::string& name, const std::string& device, std::size_t count = 1,
                std::int64_t ceiling_ms = 20'000);
  std::size_t count(const std::string& name, const std::string& device = {}) const;
  std::vector<Event> events() const;
  // Names of the events for `device`, in order (handy for exact-sequence assertions).
  std::vector<std::string> names_for(const std::string& device) const;

 private:
  std::size_t count_locked(const std::string& name, const std::string& device) const;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Event> events_;
};

class EventLog {
 public:
  void add_sink(std::shared_ptr<EventSink> sink);
  void emit(Event e);
  std::uint64_t counter(const std::string& device, const std::string& name) const;
  std::map<std::pair<std::string, std::string>, std::uint64_t> counters() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<EventSink>> sinks_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> counters_;
};

}  // namespace iocpsim::engine
