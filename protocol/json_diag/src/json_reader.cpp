#include "iocpsim/json_diag/json_reader.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "iocpsim/json_diag/suggest.hpp"

namespace iocpsim::json_diag {

PathError::PathError(std::string path, const std::string& problem)
    : std::runtime_error(path.empty() ? problem : path + ": " + problem), path_(std::move(path)), problem_(problem) {}

namespace detail {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace detail

std::optional<std::string> nearest_key(std::string_view key, const std::vector<std::string>& known) {
  const auto distance = [](std::string_view given, std::string_view candidate) -> std::size_t {
    // A key missing its unit ("delay" for "delay_ms") is as likely a slip as a typo.
    const bool prefix = given.size() >= 3 && (candidate.starts_with(given) || given.starts_with(candidate));
    return prefix ? 1 : edit_distance(given, candidate);
  };
  return nearest(key, known, std::max<std::size_t>(2, key.size() / 3) + 1, distance);
}

std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  int high = -1;
  for (char c : text) {
    if (c == ' ' || c == ':' || c == '_') {
      if (high >= 0) return std::nullopt;  // a separator may not split a byte
      continue;
    }
    const int digit = detail::hex_digit(c);
    if (digit < 0) return std::nullopt;
    if (high < 0) {
      high = digit;
    } else {
      out.push_back(static_cast<std::uint8_t>(high * 16 + digit));
      high = -1;
    }
  }
  if (high >= 0) return std::nullopt;
  return out;
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xF]);
  }
  return out;
}

JsonReader::JsonReader(const nlohmann::json& value, std::string path) : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) throw PathError(path_, "expected an object");
}

std::string JsonReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool JsonReader::has(std::string_view key) { return find(key) != nullptr; }

bool JsonReader::has_old_name(std::string_view key, std::string_view current) {
  const auto known = [&](const auto& pair) { return pair.first == key; };
  if (std::none_of(old_names_.begin(), old_names_.end(), known)) old_names_.emplace_back(key, current);
  return has(key);
}

std::string JsonReader::spelling(std::string_view key, const std::vector<std::string>& old_names) {
  std::string given = has(key) ? std::string(key) : "";
  for (const std::string& old : old_names) {
    if (!has_old_name(old, key)) continue;
    if (!given.empty()) {
      throw PathError(path_of(old), "expected \"" + std::string(key) + "\" or its old name \"" + old + "\", got both");
    }
    given = old;
  }
  return given.empty() ? std::string(key) : given;
}

const nlohmann::json* JsonReader::find(std::string_view key) {
  if (std::find(asked_.begin(), asked_.end(), key) == asked_.end()) asked_.emplace_back(key);
  const auto it = value_.find(key);
  return it == value_.end() ? nullptr : &*it;
}

void JsonReader::fail(std::string_view key, const std::string& expected) const {
  throw PathError(path_of(key), "expected " + expected);
}

void JsonReader::skip(std::string_view key) { find(key); }

const nlohmann::json& JsonReader::raw(std::string_view key) {
  const auto* v = find(key);
  if (v == nullptr) throw missing(key);
  return *v;
}

PathError JsonReader::missing(std::string_view key, const std::string& problem) const {
  const std::vector<std::string> wanted{std::string(key)};
  for (const auto& [present, unused] : value_.items()) {
    if (std::find(asked_.begin(), asked_.end(), present) != asked_.end()) continue;
    if (nearest_key(present, wanted)) return unknown_key(present);
  }
  return PathError(path_of(key), problem);
}

std::optional<std::uint64_t> JsonReader::optional_uint(std::string_view key, std::uint64_t max) {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  // A non-negative signed integer is one too: JSON's -0 (nlohmann keeps it signed), and every
  // integer of a document built in code rather than parsed (nlohmann::json{{"max_ms", 30000}}).
  if (v->is_number_integer() && !v->is_number_unsigned()) {
    const std::int64_t n = v->get<std::int64_t>();
    if (n < 0 || static_cast<std::uint64_t>(n) > max) fail(key, "an integer from 0 to " + std::to_string(max));
    return static_cast<std::uint64_t>(n);
  }
  if (!v->is_number_unsigned() || v->get<std::uint64_t>() > max) {
    fail(key, "an integer from 0 to " + std::to_string(max));
  }
  return v->get<std::uint64_t>();
}

std::uint64_t JsonReader::get_uint(std::string_view key, std::uint64_t fallback, std::uint64_t max) {
  return optional_uint(key, max).value_or(fallback);
}

std::uint64_t JsonReader::require_uint(std::string_view key, std::uint64_t max) {
  const auto v = optional_uint(key, max);
  if (!v) throw missing(key, "is required (an integer from 0 to " + std::to_string(max) + ")");
  return *v;
}

double JsonReader::get_number(std::string_view key, double fallback, double min, double max) {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_number() || v->get<double>() < min || v->get<double>() > max || std::isnan(v->get<double>())) {
    fail(key, "a number from " + nlohmann::json(min).dump() + " to " + nlohmann::json(max).dump());
  }
  return v->get<double>();
}

bool JsonReader::get_bool(std::string_view key, bool fallback) {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) fail(key, "true or false");
  return v->get<bool>();
}

std::string JsonReader::get_string(std::string_view key, std::string fallback) {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_string()) fail(key, "a string");
  return v->get<std::string>();
}

std::string JsonReader::require_string(std::string_view key) {
  if (!has(key)) throw missing(key, "is required (a string)");
  return get_string(key, {});
}

std::string JsonReader::get_choice(std::string_view key, std::string fallback,
                                   const std::vector<std::string>& choices) {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
  if (!v->is_string()) fail(key, "one of " + list);
  const auto text = v->get<std::string>();
  if (std::find(choices.begin(), choices.end(), text) != choices.end()) return text;
  const auto hint = nearest_key(text, choices);
  throw PathError(path_of(key), "expected one of " + list + ", got \"" + text + "\"" +
                                    (hint ? " (" + did_you_mean(*hint) + ")" : ""));
}

std::vector<std::uint8_t> JsonReader::get_hex(std::string_view key, std::vector<std::uint8_t> fallback) {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  std::optional<std::vector<std::uint8_t>> bytes;
  if (v->is_string()) bytes = parse_hex(v->get<std::string>());
  if (!bytes) fail(key, "a hex string of whole bytes, e.g. \"a55a01\"");
  return *bytes;
}

std::vector<std::uint64_t> JsonReader::get_positive_uints(std::string_view key) {
  const auto& v = raw(key);
  const auto bad = [&] { fail(key, "an array of positive integers"); };
  if (!v.is_array() || v.empty()) bad();
  std::vector<std::uint64_t> out;
  for (const auto& item : v) {
    if (!item.is_number_unsigned() || item.get<std::uint64_t>() == 0) bad();
    out.push_back(item.get<std::uint64_t>());
  }
  return out;
}

JsonReader JsonReader::object(std::string_view key) { return JsonReader(raw(key), path_of(key)); }

std::vector<JsonReader> JsonReader::objects(std::string_view key) {
  const auto& v = raw(key);
  if (!v.is_array()) fail(key, "an array of objects");
  std::vector<JsonReader> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    out.emplace_back(v[i], path_of(key) + "[" + std::to_string(i) + "]");
  }
  return out;
}

PathError JsonReader::unknown_key(const std::string& key) const {
  std::vector<std::string> known;
  std::vector<std::string> candidates;  // the known keys, and the old spellings standing for theirs
  for (const auto& k : asked_) {
    const auto old =
        std::find_if(old_names_.begin(), old_names_.end(), [&](const auto& pair) { return pair.first == k; });
    if (old == old_names_.end()) known.push_back(k);
    candidates.push_back(k);
  }
  if (const auto hint = nearest_key(key, candidates)) {
    const auto old =
        std::find_if(old_names_.begin(), old_names_.end(), [&](const auto& pair) { return pair.first == *hint; });
    return PathError(path_of(key), "unknown key; " + did_you_mean(old == old_names_.end() ? *hint : old->second));
  }
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  return PathError(path_of(key), "unknown key; known keys: " + list);
}

std::vector<PathError> JsonReader::unknown_keys() const {
  std::vector<PathError> out;
  for (const auto& [key, unused] : value_.items()) {
    if (std::find(asked_.begin(), asked_.end(), key) == asked_.end()) out.push_back(unknown_key(key));
  }
  return out;
}

void JsonReader::finish() const {
  auto unknown = unknown_keys();
  if (!unknown.empty()) throw unknown.front();
}

}  // namespace iocpsim::json_diag
