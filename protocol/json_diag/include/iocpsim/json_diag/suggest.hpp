// Suggestions for a misspelt name in hand-written JSON: the known name nearest by edit distance,
// and the wording every reader uses for it. Each reader keeps its own idea of "near enough".
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iocpsim::json_diag {

// Levenshtein distance: insertions, deletions and substitutions of one character each cost 1.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The first of `known` at the smallest distance from `given`, if that distance is below
// `limit`. `distance(given, candidate)` measures; edit_distance unless a reader knows better.
template <class Distance>
std::optional<std::string> nearest(std::string_view given, const std::vector<std::string>& known, std::size_t limit,
                                   Distance distance) {
  std::optional<std::string> best;
  std::size_t best_distance = limit;
  for (const std::string& candidate : known) {
    const std::size_t d = distance(given, std::string_view(candidate));
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

inline std::optional<std::string> nearest(std::string_view given, const std::vector<std::string>& known,
                                          std::size_t limit) {
  return nearest(given, known, limit, edit_distance);
}

// `did you mean "name"?`, the words around it are the reader's.
inline std::string did_you_mean(const std::string& name) { return "did you mean \"" + name + "\"?"; }

}  // namespace iocpsim::json_diag
