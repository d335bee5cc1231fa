// Finding scenario files, filtering them and naming them.
#include <gtest/gtest.h>

#if !defined(_WIN32)
#include <unistd.h>
#endif

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "iocpsim/scenario/load.hpp"
#include "iocpsim/scenario/suite.hpp"

namespace iocpsim::scenario {
namespace {

namespace fs = std::filesystem;

class SuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("iocpsim-suite-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / "b");
    fs::create_directories(root_ / "a");
    for (const char* f : {"b/z.json", "a/y.json", "schema.json", "README.md", "a/notes.txt"})
      std::ofstream(root_ / f) << "{}";
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(SuiteTest, DirectoriesAreSearchedRecursivelyForJsonButTheSchemaInOrder) {
  const auto files = collect_scenario_files({root_.string()});
  EXPECT_EQ(files,
            (std::vector<std::string>{(root_ / "a/y.json").generic_string(), (root_ / "b/z.json").generic_string()}));
}

TEST_F(SuiteTest, AFileIsTakenAsGivenAndAMissingPathIsAnError) {
  EXPECT_EQ(collect_scenario_files({(root_ / "README.md").string()}).size(), 1u);
  EXPECT_THROW(collect_scenario_files({(root_ / "nope").string()}), ScenarioError);
}

// POSIX links and permissions: Windows needs a privilege to make a link and has no mode bits.
#if !defined(_WIN32)
TEST_F(SuiteTest, AnEntryThatCannotBeReadIsReportedAndTheRestAreStillFound) {
  fs::create_symlink(root_ / "nowhere", root_ / "a" / "broken.json");
  fs::create_symlink(root_ / "loop.json", root_ / "loop.json");  // a link to itself
  std::vector<std::string> problems;
  const auto files = collect_scenario_files({root_.string()}, problems);
  EXPECT_EQ(files,
            (std::vector<std::string>{(root_ / "a/y.json").generic_string(), (root_ / "b/z.json").generic_string()}));
  ASSERT_EQ(problems.size(), 2u);
  std::sort(problems.begin(), problems.end());
  EXPECT_EQ(problems[0], (root_ / "a/broken.json").generic_string() + ": cannot be read (No such file or directory)");
  EXPECT_EQ(problems[1],
            (root_ / "loop.json").generic_string() + ": cannot be read (Too many levels of symbolic links)");
}

TEST_F(SuiteTest, ADirectoryWithoutPermissionIsReportedAndTheWalkGoesOn) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every directory; the dangling-link test covers the report";
  fs::create_directories(root_ / "c");
  fs::permissions(root_ / "c", fs::perms::none);
  std::vector<std::string> problems;
  const auto files = collect_scenario_files({root_.string()}, problems);
  fs::permissions(root_ / "c", fs::perms::owner_all);
  EXPECT_EQ(files.size(), 2u);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], (root_ / "c").generic_string() + ": cannot be read (Permission denied)");
}

#endif

TEST_F(SuiteTest, ADirectoryWithoutScenarioFilesIsAProblemAndAMissingPathDoesNotStopTheOthers) {
  fs::create_directories(root_ / "empty");
  std::vector<std::string> problems;
  const auto files =
      collect_scenario_files({(root_ / "empty").string(), (root_ / "nope").string(), (root_ / "a").string()}, problems);
  EXPECT_EQ(files, (std::vector<std::string>{(root_ / "a/y.json").generic_string()}));
  EXPECT_EQ(problems, (std::vector<std::string>{
                          (root_ / "empty").string() + ": no scenario files (*.json but schema.json) found here",
                          (root_ / "nope").string() + ": no such file or directory"}));
}

TEST(Suite, AFilterMatchesNameTagOrPathAsSubstringOrRegex) {
  Scenario s;
  s.name = "peer-fin-mid-frame";
  s.tags = {"framing"};
  s.file = "scenarios/close/peer-fin-mid-frame.json";
  EXPECT_TRUE(matches_filter(s, "fin-mid"));
  EXPECT_TRUE(matches_filter(s, "framing"));
  EXPECT_TRUE(matches_filter(s, "close/"));
  EXPECT_TRUE(matches_filter(s, "^peer-.*frame$"));
  EXPECT_TRUE(matches_filter(s, "fin|nothing"));
  EXPECT_FALSE(matches_filter(s, "reset"));
  EXPECT_FALSE(matches_filter(s, "[unclosed"));
}

TEST(Suite, AFilterWithAFieldLooksAtThatFieldOnly) {
  Scenario s;
  s.name = "peer-reset-mid-frame";
  s.tags = {"reset", "framing"};
  s.tier = "smoke";
  s.rows = {"R5b", "R16"};
  s.file = "scenarios/close/peer-reset-mid-frame.json";
  EXPECT_TRUE(matches_filter(s, "tier:smoke"));
  EXPECT_FALSE(matches_filter(s, "tier:regression"));
  EXPECT_TRUE(matches_filter(s, "row:R5b"));
  EXPECT_FALSE(matches_filter(s, "row:R5")) << "a row is matched whole";
  EXPECT_TRUE(matches_filter(s, "row:R5.*"));
  EXPECT_TRUE(matches_filter(s, "tag:reset"));
  EXPECT_FALSE(matches_filter(s, "tag:res")) << "a tag is matched whole";
  EXPECT_FALSE(matches_filter(s, "name:framing")) << "framing is a tag, not in the name";
  EXPECT_TRUE(matches_filter(s, "name:reset-mid"));
  EXPECT_TRUE(matches_filter(s, "path:close/"));
  EXPECT_FALSE(matches_filter(s, "path:framing"));
  EXPECT_FALSE(matches_filter(s, "smoke")) << "without a field, the tier is not looked at";
  EXPECT_TRUE(matches_filters(s, {"tag:reset", "row:R16"}));
  EXPECT_FALSE(matches_filters(s, {"tag:reset", "row:R4"})) << "every filter must match";
  EXPECT_TRUE(matches_filters(s, {}));
}

TEST(Suite, TheDisplayNameIsAreaSlashName) {
  Scenario s;
  s.name = "x";
  s.file = "scenarios/close/x-file.json";
  EXPECT_EQ(display_name(s), "close/x");
  s.file = "x.json";
  EXPECT_EQ(display_name(s), "x");
}

TEST(Suite, TheProgressLineSaysHowFarHowManyFailedAndHowLongIsLeft) {
  EXPECT_EQ(progress_line(0, 86, 0, 0.0), "[0/86] 0 failed, 0.0 s");
  EXPECT_EQ(progress_line(10, 40, 1, 5.0), "[10/40] 1 failed, 5.0 s, about 15 s left");
  EXPECT_EQ(progress_line(40, 40, 2, 20.0), "[40/40] 2 failed, 20.0 s");
}

TEST(Suite, ColourOnlyOnATerminalWithoutNoColorAndNotOnADumbTerminal) {
  EXPECT_TRUE(colour_wanted(true, nullptr, "xterm-256color"));
  EXPECT_TRUE(colour_wanted(true, "", nullptr)) << "NO_COLOR set but empty does not count";
  EXPECT_FALSE(colour_wanted(true, "1", "xterm"));
  EXPECT_FALSE(colour_wanted(false, nullptr, "xterm")) << "a pipe or a file gets no escapes";
  EXPECT_FALSE(colour_wanted(true, nullptr, "dumb"));
}

}  // namespace
}  // namespace iocpsim::scenario
