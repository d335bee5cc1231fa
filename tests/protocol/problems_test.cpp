#include "iocpsim/json_diag/problems.hpp"

#include <gtest/gtest.h>

namespace iocpsim::json_diag {
namespace {

const nlohmann::json kDocument = nlohmann::json::parse(R"({"run": {"max_ms": "3s"}, "devices": [{"port": -1}]})");

TEST(ProblemsTest, FindsTheValueAtADottedPath) {
  EXPECT_EQ(*value_at(kDocument, "run.max_ms"), "3s");
  EXPECT_EQ(*value_at(kDocument, "devices[0].port"), -1);
  EXPECT_EQ(value_at(kDocument, "devices[1].port"), nullptr);
  EXPECT_EQ(value_at(kDocument, "run."), nullptr);
  EXPECT_EQ(value_at(kDocument, "run.max_ms.x"), nullptr);
}

TEST(ProblemsTest, AnExpectationIsCompletedWithWhatTheFileHoldsThere) {
  EXPECT_EQ(with_got(kDocument, "run.max_ms", "run.max_ms: expected an integer"),
            "run.max_ms: expected an integer, got \"3s\"");
  EXPECT_EQ(with_got(kDocument, "run.max_ms", "run.max_ms: expected an integer, got 1"),
            "run.max_ms: expected an integer, got 1");
  EXPECT_EQ(with_got(kDocument, "run.max_ms", "run.max_ms: is required"), "run.max_ms: is required");
}

TEST(ProblemsTest, EachMistakeIsKeptOncePerPlaceAndEveryReadGoesOn) {
  Problems problems(kDocument);
  int reads = 0;
  EXPECT_FALSE(problems.attempt([&] {
    ++reads;
    throw PathError("devices[0].port", "expected an integer from 1 to 65535");
  }));
  EXPECT_TRUE(problems.attempt([&] { ++reads; }));
  problems.add(PathError("devices[0].port", "expected a port"));
  problems.add_line("run: is required");
  EXPECT_EQ(reads, 2);
  EXPECT_EQ(problems.lines(),
            (std::vector<std::string>{"devices[0].port: expected a port, got -1", "run: is required"}));
}

TEST(ProblemsTest, PastItsCapAListSaysHowManyMoreThereWere) {
  Problems problems(kDocument, 2);
  for (int i = 0; i < 5; ++i) problems.add_line("k" + std::to_string(i) + ": is wrong");
  EXPECT_EQ(problems.report(), (std::vector<std::string>{"k0: is wrong", "k1: is wrong",
                                                         "... and 3 more mistakes (only the first 2 are shown)"}));
}

}  // namespace
}  // namespace iocpsim::json_diag
