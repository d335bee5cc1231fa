// The seed of a randomised test: IOCPSIM_TEST_SEED when set (to replay a failure), else random.
// Failure messages print it with replay_hint().
#pragma once

#include <cstdlib>
#include <random>
#include <string>

namespace iocpsim::protocol::testing {

inline unsigned test_seed() {
  if (const char* fixed = std::getenv("IOCPSIM_TEST_SEED"))
    return static_cast<unsigned>(std::strtoul(fixed, nullptr, 10));
  return std::random_device{}();
}

inline std::string replay_hint(unsigned seed) {
  return "seed " + std::to_string(seed) + " (replay: IOCPSIM_TEST_SEED=" + std::to_string(seed) + " ctest ...)";
}

}  // namespace iocpsim::protocol::testing
