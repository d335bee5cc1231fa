#include "iocpsim/engine/event_log.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <system_error>

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

namespace {

std::string json_line(const Event& e) {
  std::string line = e.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  return line;
}

// Events after which the process may end, or that an operator reads first when it did: the
// buffered sink has them on the stream before write() returns.
constexpr std::array<std::string_view, 5> kFlushedEvents = {
    "handler_exception", "worker_port_closed", "shutdown_ceiling_reached", "engine_start_failed", "shutdown_drained"};

}  // namespace

void JsonLinesSink::write(const Event& e) {
  const std::string line = json_line(e);
  std::lock_guard lock(mutex_);
  out_ << line;
  out_.flush();
}

BufferedJsonLinesSink::BufferedJsonLinesSink(std::ostream& out, std::size_t buffer_max_bytes)
    : out_(&out), buffer_bytes_max_(std::max<std::size_t>(buffer_max_bytes, 1)) {
  writer_ = world::Thread("event log writer", [this] { run(); });
}

BufferedJsonLinesSink::BufferedJsonLinesSink(std::unique_ptr<std::ofstream> file, FileOptions options,
                                             std::size_t buffer_max_bytes)
    : file_(std::move(file)),
      out_(file_.get()),
      file_options_(std::move(options)),
      buffer_bytes_max_(std::max<std::size_t>(buffer_max_bytes, 1)) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file_options_.path, ec);
  file_bytes_ = ec ? 0 : size;
  writer_ = world::Thread("event log writer", [this] { run(); });
}

std::unique_ptr<BufferedJsonLinesSink> BufferedJsonLinesSink::open_file(const FileOptions& options, std::string* error,
                                                                        std::size_t buffer_max_bytes) {
  auto file = std::make_unique<std::ofstream>(options.path, std::ios::app | std::ios::binary);
  if (!*file) {
    if (error != nullptr) *error = options.path + ": cannot be opened for writing";
    return nullptr;
  }
  return std::unique_ptr<BufferedJsonLinesSink>(new BufferedJsonLinesSink(std::move(file), options, buffer_max_bytes));
}

BufferedJsonLinesSink::~BufferedJsonLinesSink() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_all();
  writer_.join();  // the writer empties the buffer before it leaves
}

void BufferedJsonLinesSink::write(const Event& e) {
  const std::string line = json_line(e);
  {
    std::unique_lock lock(mutex_);
    // A full buffer means the disk is behind: the caller waits for room rather than losing lines.
    progress_.wait(lock, [&] { return pending_.size() < buffer_bytes_max_ || stopping_; });
    const bool was_empty = pending_.empty();
    pending_ += line;
    ++queued_lines_;
    if (was_empty) wake_writer_.notify_one();
  }
  if (std::find(kFlushedEvents.begin(), kFlushedEvents.end(), e.name) != kFlushedEvents.end()) flush();
}

void BufferedJsonLinesSink::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = queued_lines_;
  progress_.wait(lock, [&] { return written_lines_ >= target; });
}

void BufferedJsonLinesSink::run() {
  std::string batch;
  for (;;) {
    std::uint64_t lines = 0;
    {
      std::unique_lock lock(mutex_);
      wake_writer_.wait(lock, [&] { return !pending_.empty() || stopping_; });
      if (pending_.empty()) return;  // stopping, and everything is written
      batch.clear();
      batch.swap(pending_);
      lines = queued_lines_;
    }
    progress_.notify_all();  // room again
    put(batch);
    {
      std::lock_guard lock(mutex_);
      written_lines_ = lines;
    }
    progress_.notify_all();
  }
}

void BufferedJsonLinesSink::put(const std::string& batch) {
  if (file_ == nullptr || file_options_.max_bytes == 0) {
    out_->write(batch.data(), static_cast<std::streamsize>(batch.size()));
    out_->flush();
    return;
  }
  // Line by line, so that no line is split between two files.
  std::size_t at = 0;
  while (at < batch.size()) {
    std::size_t end = batch.find('\n', at);
    end = end == std::string::npos ? batch.size() : end + 1;
    const std::size_t n = end - at;
    if (file_bytes_ > 0 && file_bytes_ + n > file_options_.max_bytes) rotate();
    out_->write(batch.data() + at, static_cast<std::streamsize>(n));
    file_bytes_ += n;
    at = end;
  }
  out_->flush();
}

void BufferedJsonLinesSink::rotate() {
  namespace fs = std::filesystem;
  file_->close();
  std::error_code ec;
  const std::string& path = file_options_.path;
  const auto numbered = [&](unsigned i) {
    std::string s = path;  // appended, not concatenated: GCC 12's -Wrestrict misreads the latter
    s += '.';
    s += std::to_string(i);
    return s;
  };
  if (file_options_.keep == 0) {
    fs::remove(path, ec);
  } else {
    fs::remove(numbered(file_options_.keep), ec);
    for (unsigned i = file_options_.keep; i > 1; --i) fs::rename(numbered(i - 1), numbered(i), ec);
    fs::rename(path, numbered(1), ec);
  }
  file_->open(path, std::ios::trunc | std::ios::binary);
  file_bytes_ = 0;
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
  return changed_.wait_for(lock, std::chrono::milliseconds(ceiling_ms),
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
