// Every example script in device-sim/examples/ parses and builds its devices, so the examples the
// README points to stay valid.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "iocpsim/devsim/device.hpp"
#include "iocpsim/devsim/spec.hpp"

namespace iocpsim::devsim {
namespace {

std::vector<std::filesystem::path> example_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(IOCPSIM_DEVSIM_EXAMPLES_DIR)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  return files;
}

TEST(ExamplesTest, EveryExampleScriptIsValid) {
  const auto files = example_files();
  ASSERT_GE(files.size(), 2u);
  for (const auto& file : files) {
    std::ifstream in(file);
    const auto document = nlohmann::json::parse(in);
    std::vector<DeviceSpec> specs;
    ASSERT_NO_THROW(specs = parse_devices(document)) << file;
    ManualClock clock;
    for (const auto& spec : specs) {
      EXPECT_TRUE(spec.listen.has_value()) << file << ": " << spec.name << " names no listen address";
      Device device(spec, clock, 1);
      device.start();
      EXPECT_FALSE(device.script_failed()) << file;
    }
  }
}

}  // namespace
}  // namespace iocpsim::devsim
