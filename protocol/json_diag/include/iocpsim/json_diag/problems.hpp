// The mistakes found in one file so far. A reader reports each mistake here and goes on with the
// next part of the file, so that one look at the file's messages shows all of them (scenario
// files, hostd's config).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/json_diag/json_reader.hpp"

namespace iocpsim::json_diag {

// "devices[0].script[2].bytes" -> the value there in `document`, or nullptr.
const nlohmann::json* value_at(const nlohmann::json& document, std::string_view path);

// `message` (said at `path`), ending in ", got <what the document holds there>" when it says
// what it expected and not yet what it got.
std::string with_got(const nlohmann::json& document, const std::string& path, const std::string& message);

class Problems {
 public:
  // `document` is the whole file, for what each mistake got; at most `max_lines` are kept.
  explicit Problems(const nlohmann::json& document, std::size_t max_lines = SIZE_MAX)
      : document_(document), max_lines_(max_lines) {}

  const nlohmann::json& document() const noexcept { return document_; }

  // Runs `read`; a PathError it throws is recorded. True when it ran through.
  template <class F>
  bool attempt(F&& read) {
    try {
      read();
      return true;
    } catch (const PathError& e) {
      add(e);
    }
    return false;
  }

  void add(const PathError& e);
  // "<json path>: <problem>". One mistake per place: a misspelt key is named when its correct
  // spelling is missed and again among the unknown keys; the later line replaces the earlier.
  void add_line(std::string line);

  bool empty() const noexcept { return lines_.empty(); }
  const std::vector<std::string>& lines() const noexcept { return lines_; }
  // The lines kept, and a last one saying how many more there were.
  std::vector<std::string> report() const;

 private:
  const nlohmann::json& document_;
  std::size_t max_lines_;
  std::vector<std::string> lines_;
  std::size_t dropped_ = 0;
};

}  // namespace iocpsim::json_diag
