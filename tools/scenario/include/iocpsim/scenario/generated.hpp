// The files, and regions of files, that are generated from the vocabulary tables: the scenario
// schema and the reference tables of the docs. `iocpsim generate` rewrites them in a source tree;
// `iocpsim generate --check` (a CTest test) fails when a committed one differs from the tables.
//
// A region of a Markdown file lies between two marker lines:
//   <!-- generated: NAME (iocpsim generate) -->
//   <!-- end generated: NAME -->
// and everything between them is replaced; the text around them is kept by hand.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace iocpsim::scenario {

struct GeneratedFile {
  std::string path;    // relative to the source root, '/'-separated
  std::string region;  // "" for the whole file
  std::function<std::string()> render;
};

const std::vector<GeneratedFile>& generated_files();

// `text` with the region `name` replaced by `content`; throws std::runtime_error naming the
// missing marker.
std::string replace_region(const std::string& text, const std::string& name, const std::string& content);

}  // namespace iocpsim::scenario
