// Writes the session fuzzer's seed corpus from the scenario library: each device of each scenario
// file is played against a ProtocolSession in memory (SessionPair, 3 s of virtual time), and what
// the device sent, when, becomes a tape (session_tape.hpp), with the host's sends in between.
//   session_corpus OUTPUT_DIR SCENARIO_PATH...
// Files that do not load are skipped (the scenario loader's own fuzzer covers them).
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "iocpsim/scenario/load.hpp"
#include "iocpsim/scenario/suite.hpp"
#include "session_pair.hpp"
#include "session_tape.hpp"

int main(int argc, char** argv) {
  using namespace iocpsim::engine::testing;
  if (argc < 3) {
    std::fprintf(stderr, "usage: session_corpus OUTPUT_DIR SCENARIO_PATH...\n");
    return 2;
  }
  const std::string out_dir = argv[1];
  std::vector<std::string> problems;
  const auto files =
      iocpsim::scenario::collect_scenario_files(std::vector<std::string>(argv + 2, argv + argc), problems);
  std::size_t written = 0, skipped = 0;
  for (const std::string& file : files) {
    iocpsim::scenario::Scenario s;
    try {
      s = iocpsim::scenario::load_scenario(file);
    } catch (const std::exception&) {
      ++skipped;
      continue;
    }
    for (const auto& spec : s.devices) {
      SessionPair pair(spec);
      pair.run_for(3'000);
      std::vector<std::uint8_t> tape;
      std::int64_t t = 0;
      std::size_t at = 0;
      for (const auto& [when, n] : pair.device_writes) {
        t += tape_time(tape, when - t);
        tape_bytes(tape, pair.device_bytes.data() + at, n);
        at += n;
        tape.push_back(kTapeSendAll);
      }
      tape_time(tape, pair.now_ms() - t);
      std::ofstream(out_dir + "/seed-" + std::to_string(written++), std::ios::binary)
          .write(reinterpret_cast<const char*>(tape.data()), static_cast<std::streamsize>(tape.size()));
    }
  }
  std::printf("session_corpus: %zu tapes from %zu scenario files (%zu skipped)\n", written, files.size(), skipped);
  return written > 0 ? 0 : 1;
}
