#include "iocpsim/devsim/step_registry.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace iocpsim::devsim {
namespace {

TEST(StepRegistryTest, KnowsEveryStepKindTheCatalogueNames) {
  const std::vector<std::string> expected = {"accept_after",
                                             "accept_connections",
                                             "answer_next_command",
                                             "close",
                                             "corrupt_next_frame",
                                             "drip",
                                             "expect",
                                             "expect_close",
                                             "half_close",
                                             "never_accept",
                                             "pause_telemetry",
                                             "raise_event",
                                             "refuse_connections",
                                             "repeat",
                                             "reset",
                                             "reset_connections",
                                             "resume_reading",
                                             "resume_telemetry",
                                             "say_bye",
                                             "send",
                                             "send_chunked",
                                             "send_garbage",
                                             "send_hex",
                                             "send_oversize_length",
                                             "stall",
                                             "stop_reading",
                                             "stream_telemetry",
                                             "wait",
                                             "wait_for_connection"};
  for (const auto& name : expected) EXPECT_NE(StepRegistry::global().find(name), nullptr) << name;
  EXPECT_EQ(StepRegistry::global().all().size(), expected.size());
}

TEST(StepRegistryTest, ParsesEveryKindsOwnExample) {
  for (const auto* kind : StepRegistry::global().all()) {
    const auto example = nlohmann::json::parse(kind->example);
    JsonReader reader(example, "example");
    EXPECT_NO_THROW(StepRegistry::global().parse(reader, MessageDefaults{})) << kind->name;
    EXPECT_EQ(example.value("step", ""), kind->name);
  }
}

TEST(StepRegistryTest, DocumentsEveryOptionTheExampleUses) {
  for (const auto* kind : StepRegistry::global().all()) {
    const auto example = nlohmann::json::parse(kind->example);
    for (const auto& [key, value] : example.items()) {
      if (key == "step") continue;
      const bool documented = std::any_of(kind->options.begin(), kind->options.end(),
                                          [&key = key](const OptionDoc& o) { return o.name == key; });
      EXPECT_TRUE(documented) << kind->name << "." << key;
    }
  }
}

TEST(StepRegistryTest, RefusesASecondKindWithTheSameName) {
  StepRegistry registry;
  registry.add(StepKind{"x", "flow", "", {}, {}, {}});
  EXPECT_THROW(registry.add(StepKind{"x", "flow", "", {}, {}, {}}), std::logic_error);
}

TEST(StepRegistryTest, PrintsACatalogueWithEachKindAndItsOptions) {
  const auto md = StepRegistry::global().catalogue_markdown();
  EXPECT_NE(md.find("### protocol steps"), std::string::npos);
  EXPECT_NE(md.find("#### `send_chunked`"), std::string::npos);
  EXPECT_NE(md.find("| `chunks` | array of positive integers | required |"), std::string::npos);
  EXPECT_LT(md.find("### protocol steps"), md.find("### flow steps"));
}

}  // namespace
}  // namespace iocpsim::devsim
