#include "iocpsim/json_diag/problems.hpp"

#include <algorithm>

#include "iocpsim/json_diag/document.hpp"

namespace iocpsim::json_diag {

using nlohmann::json;

const json* value_at(const json& document, std::string_view path) {
  const json* at = &document;
  std::size_t i = 0;
  while (i < path.size() && at != nullptr) {
    if (path[i] == '.' && ++i == path.size()) return nullptr;
    if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string_view::npos || !at->is_array()) return nullptr;
      std::size_t index = 0;
      for (const char c : path.substr(i + 1, close - i - 1)) {
        if (c < '0' || c > '9' || index > at->size()) return nullptr;
        index = index * 10 + static_cast<std::size_t>(c - '0');
      }
      at = index < at->size() ? &(*at)[index] : nullptr;
      i = close + 1;
      continue;
    }
    const std::size_t end = std::min(path.find_first_of(".[", i), path.size());
    const std::string key(path.substr(i, end - i));
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    i = end;
  }
  return at;
}

std::string with_got(const json& document, const std::string& path, const std::string& message) {
  if (message.find("expected") == std::string::npos || message.find(", got") != std::string::npos) {
    return message;
  }
  const json* found = path.empty() ? nullptr : value_at(document, path);
  return found == nullptr ? message : message + ", got " + shortened_dump(*found, 60);
}

void Problems::add(const PathError& e) { add_line(with_got(document_, e.path(), e.what())); }

void Problems::add_line(std::string line) {
  const std::string place = line.substr(0, line.find(": "));
  const auto seen = std::find_if(lines_.begin(), lines_.end(),
                                 [&](const std::string& l) { return l.substr(0, l.find(": ")) == place; });
  if (seen != lines_.end()) {
    *seen = std::move(line);
    return;
  }
  if (lines_.size() < max_lines_) {
    lines_.push_back(std::move(line));
  } else {
    ++dropped_;
  }
}

std::vector<std::string> Problems::report() const {
  std::vector<std::string> out = lines_;
  if (dropped_ != 0) {
    out.push_back("... and " + std::to_string(dropped_) + " more mistakes (only the first " +
                  std::to_string(max_lines_) + " are shown)");
  }
  return out;
}

}  // namespace iocpsim::json_diag
