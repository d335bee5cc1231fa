// The engine's event log: every decision is one Event with a stable name (host/engine/EVENTS.md)
// and fields. Sinks receive every event; counters count them per device and name.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/world/sync.hpp"

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

// Writes one JSON line per event, on the caller's thread, and flushes it: for tests and tools.
// A service writes through BufferedJsonLinesSink instead, so that no worker waits for a disk.
// A string that is not UTF-8 never stops a line: it is written with U+FFFD in place of the bad
// bytes (the engine already escapes what devices send).
class JsonLinesSink final : public EventSink {
 public:
  explicit JsonLinesSink(std::ostream& out) : out_(out) {}
  void write(const Event& e) override;

 private:
  world::Mutex mutex_;
  std::ostream& out_;
};

// JSON lines written by a thread of their own, so that the engine's workers never wait for a
// disk: write() formats the line and appends it to a buffer, and the thread writes whole batches
// and flushes once per batch. The buffer is bounded (buffer_max_bytes): when it is full, write()
// waits for room, so nothing is dropped. flush() returns once everything written before it is on
// the stream; events after which the process may well end (kFlushedEvents) are flushed before
// write() returns, and the destructor flushes everything.
//
// With a file it can also rotate: once the file would pass max_bytes, it is renamed `path.1`
// (an older `path.1` becomes `path.2` ... up to `path.<keep>`, the oldest is deleted) and a new
// `path` is begun. A line is never split between files.
class BufferedJsonLinesSink final : public EventSink {
 public:
  static constexpr std::size_t kDefaultBufferBytes = 1u << 20;
  struct FileOptions {
    std::string path;
    std::uint64_t max_bytes = 0;  // 0: the file grows without limit
    unsigned keep = 3;            // rotated files kept beside it (0: the file is just begun again)
  };

  explicit BufferedJsonLinesSink(std::ostream& out, std::size_t buffer_max_bytes = kDefaultBufferBytes);
  // Opens (appends to) options.path; null, with `error` set, if it cannot be opened.
  static std::unique_ptr<BufferedJsonLinesSink> open_file(const FileOptions& options, std::string* error,
                                                          std::size_t buffer_max_bytes = kDefaultBufferBytes);
  ~BufferedJsonLinesSink() override;
  BufferedJsonLinesSink(const BufferedJsonLinesSink&) = delete;
  BufferedJsonLinesSink& operator=(const BufferedJsonLinesSink&) = delete;

  void write(const Event& e) override;
  void flush();

 private:
  BufferedJsonLinesSink(std::unique_ptr<std::ofstream> file, FileOptions options, std::size_t buffer_max_bytes);
  void run();
  void put(const std::string& batch);  // the writer thread's: rotates, writes, flushes
  void rotate();

  std::unique_ptr<std::ofstream> file_;  // when writing to a file of its own
  std::ostream* out_;
  FileOptions file_options_;
  std::uint64_t file_bytes_ = 0;
  const std::size_t buffer_bytes_max_;

  world::Mutex mutex_;
  world::CondVar wake_writer_;
  world::CondVar progress_;  // room in the buffer, or a batch written
  std::string pending_;
  std::uint64_t queued_lines_ = 0;
  std::uint64_t written_lines_ = 0;
  bool stopping_ = false;
  world::Thread writer_;
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
  mutable world::Mutex mutex_;
  world::CondVar changed_;
  std::vector<Event> events_;
};

class EventLog {
 public:
  void add_sink(std::shared_ptr<EventSink> sink);
  void emit(Event e);
  std::uint64_t counter(const std::string& device, const std::string& name) const;
  std::map<std::pair<std::string, std::string>, std::uint64_t> counters() const;

 private:
  mutable world::Mutex mutex_;
  std::vector<std::shared_ptr<EventSink>> sinks_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> counters_;
};

}  // namespace iocpsim::engine
