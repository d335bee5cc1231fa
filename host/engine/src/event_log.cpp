#include "iocpsim/engine/event_log.hpp"

#include <chrono>

namespace iocpsim::engine {

namespace {

// The length of the well-formed UTF-8 sequence at the start of `s`, 0 if there is none.
std::size_t utf8_sequence_length(std::string_view s) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80;  // the second byte's range; later bytes are always 80..BF
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < n || byte(1) < lo || byte(1) > hi) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

bool is_utf8(std::string_view bytes) noexcept {
  while (!bytes.empty()) {
    const std::size_t n = utf8_sequence_length(bytes);
    if (n == 0) return false;
    bytes.remove_prefix(n);
  }
  return true;
}

void put_device_text(nlohmann::json& fields, const std::string& key, std::string_view bytes) {
  if (is_utf8(bytes)) {
    fields[key] = std::string(bytes);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char ch : bytes) {
    hex += kHex[static_cast<unsigned char>(ch) >> 4];
    hex += kHex[static_cast<unsigned char>(ch) & 0xF];
  }
  while (!bytes.empty()) {
    const std::size_t n = utf8_sequence_length(bytes);
    if (n == 0) {
      text += "\xEF\xBF\xBD";  // U+FFFD for the one byte that starts no sequence
      bytes.remove_prefix(1);
      continue;
    }
    text.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
  fields[key] = std::move(text);
  fields[key + "_utf8"] = false;
  fields[key + "_hex"] = std::move(hex);
}

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
  const std::string line = e.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
