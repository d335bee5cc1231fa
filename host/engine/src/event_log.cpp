#include "iocpsim/engine/event_log.hpp"

#include <chrono>

namespace iocpsim::engine {

nlohmann::json Event::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  j["v"] = kEventLogVersion;
  j["t_ms"] = t_ms;
  j["event"] = name;
  if (!device.empty()) j["device"] = device;
  for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
  return j;
}

void JsonLinesSink::write(const Event& e) {
  const std::string line = e.to_json().dump();
  std::lock_guard lock(mutex_);
  out_ << line << '\n';
  out_.flush();
}

void MemorySink::write(const Event& e) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(e);
  }
  changed_.notify_all();
}

std::size_t MemorySink::count_locked(const std::string& name, const std::string& device) const {
  std::size_t n = 0;
  for (const Event& e : events_) {
    if (e.name == name && (device.empty() || e.device == device)) ++n;
  }
  return n;
}

// Timed waits use system_clock on purpose: libstdc++ turns steady_clock waits into
// pthread_cond_clockwait, which ThreadSanitizer (GCC 12) does not intercept, and waiters then miss
// their notification. A ceiling does not care which clock measures it.
bool MemorySink::wait_for(const std::string& name, const std::string& device, std::size_t count,
                          std::int64_t ceiling_ms) {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, std::chrono::system_clock::now() + std::chrono::milliseconds(ceiling_ms),
                           [&] { return count_locked(name, device) >= count; });
}

std::size_t MemorySink::count(const std::string& name, const std::string& device) const {
  std::lock_guard lock(mutex_);
  return count_locked(name, device);
}

std::vector<Event> MemorySink::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

std::vector<std::string> MemorySink::names_for(const std::string& device) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const Event& e : events_) {
    if (e.device == device) names.push_back(e.name);
  }
  return names;
}

void EventLog::add_sink(std::shared_ptr<EventSink> sink) {
  std::lock_guard lock(mutex_);
  sinks_.push_back(std::move(sink));
}

void EventLog::emit(Event e) {
  std::vector<std::shared_ptr<EventSink>> sinks;
  {
    std::lock_guard lock(mutex_);
    ++counters_[{e.device, e.name}];
    sinks = sinks_;
  }
  for (const auto& s : sinks) s->write(e);
}

std::uint64_t EventLog::counter(const std::string& device, const std::string& name) const {
  std::lock_guard lock(mutex_);
  const auto it = counters_.find({device, name});
  return it == counters_.end() ? 0 : it->second;
}

std::map<std::pair<std::string, std::string>, std::uint64_t> EventLog::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

}  // namespace iocpsim::engine
