// Reads one JSON object of a hand-written file (a scenario, a device spec, hostd's config) with its
// JSON path, so that every mistake can be reported as "<path>: expected <form>". Keys are consumed
// as they are read; finish() rejects the rest, suggesting the nearest known key for a misspelt one.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace iocpsim::json_diag {

// A mistake at a place in a file: `path` is the JSON path (e.g. devices[0].script[3].chunks).
class PathError : public std::runtime_error {
 public:
  PathError(std::string path, const std::string& problem);
  const std::string& path() const noexcept { return path_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string path_;
  std::string problem_;
};

// The known key closest to `key` by edit distance, when close enough to be a likely typo.
std::optional<std::string> nearest_key(std::string_view key, const std::vector<std::string>& known);

class JsonReader {
 public:
  // Throws PathError unless `value` is an object.
  JsonReader(const nlohmann::json& value, std::string path);

  const std::string& path() const noexcept { return path_; }
  const nlohmann::json& value() const noexcept { return value_; }
  std::string path_of(std::string_view key) const;
  bool has(std::string_view key);  // counts as asking for the key
  // The same for an old spelling of `current` that a file may still use: the key is known but not
  // listed among the known ones, and a key misspelt from it is told `current`.
  bool has_old_name(std::string_view key, std::string_view current);
  // Which of `key` and its old spellings the object gives (asking for each): that one, or `key`
  // when it gives none. Throws PathError when it gives more than one.
  std::string spelling(std::string_view key, const std::vector<std::string>& old_names);
  const nlohmann::json& raw(std::string_view key);  // marks the key read; throws if absent

  std::uint64_t get_uint(std::string_view key, std::uint64_t fallback, std::uint64_t max = UINT32_MAX);
  std::uint64_t require_uint(std::string_view key, std::uint64_t max = UINT32_MAX);
  std::optional<std::uint64_t> optional_uint(std::string_view key, std::uint64_t max = UINT32_MAX);
  double get_number(std::string_view key, double fallback, double min, double max);
  bool get_bool(std::string_view key, bool fallback);
  std::string get_string(std::string_view key, std::string fallback);
  std::string require_string(std::string_view key);
  // A string that must be one of `choices`.
  std::string get_choice(std::string_view key, std::string fallback, const std::vector<std::string>& choices);
  // Bytes written as hex ("a55a01", spaces allowed between byte pairs).
  std::vector<std::uint8_t> get_hex(std::string_view key, std::vector<std::uint8_t> fallback = {});
  std::vector<std::uint64_t> get_positive_uints(std::string_view key);
  JsonReader object(std::string_view key);
  std::vector<JsonReader> objects(std::string_view key);  // an array of objects; required

  // Marks a key as known without reading it (read elsewhere, e.g. a dispatch key).
  void skip(std::string_view key);
  // Throws PathError naming the first key nobody asked for: "unknown key; did you mean "x"?"
  // with the nearest asked-for key, or "unknown key; known keys: a, b" when none is near.
  void finish() const;
  // Every key nobody asked for, each as finish() would report it.
  std::vector<PathError> unknown_keys() const;
  // The error for a required `key` that is absent: when a key nobody asked for is a likely
  // misspelling of it ("devics"), that key is named with its suggestion instead, since
  // "devices: is required" would hide the real slip.
  PathError missing(std::string_view key, const std::string& problem = "is required") const;

 private:
  const nlohmann::json* find(std::string_view key);
  [[noreturn]] void fail(std::string_view key, const std::string& expected) const;
  PathError unknown_key(const std::string& key) const;

  const nlohmann::json& value_;
  std::string path_;
  std::vector<std::string> asked_;                              // every key looked up, present or not
  std::vector<std::pair<std::string, std::string>> old_names_;  // of those, the old spellings: {old, current}
};

// "a5 5a 01" -> bytes; nullopt when malformed.
std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text);
std::string to_hex(const std::uint8_t* data, std::size_t size);

}  // namespace iocpsim::json_diag
