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
#include <string_view>
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

// Strings a device sends (a BYE's or an ERROR's text, the device id and firmware of its
// HELLO_ACK) are bytes, not necessarily UTF-8, and a JSON line must be UTF-8. True if `bytes` is
// well-formed UTF-8 (Unicode 15, table 3-7: no overlongs, no surrogates, nothing past U+10FFFF).
bool is_utf8(std::string_view bytes) noexcept;

// Puts a device's string into an event's fields as `key`. Well-formed UTF-8 goes in as it is.
// Anything else goes in with each byte that is not part of a well-formed sequence replaced by
// U+FFFD, and two more fields say so: `<key>_utf8: false` and `<key>_hex`, the bytes as sent
// (lower-case hex), so nothing the device said is lost.
void put_device_text(nlohmann::json& fields, const std::string& key, std::string_view bytes);

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void write(const Event& e) = 0;
};

// Writes one JSON line per event. A string that is not UTF-8 never stops a line: it is written
// with U+FFFD in place of the bad bytes (the engine already escapes what devices send).
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
