// The device-sim executable, run as a user runs it: a child process with a script, its log read
// from a pipe, a plain TCP client as the host, and its exit code.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "asio_client.hpp"

extern char** environ;

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;

class DeviceSimProcess {
 public:
  explicit DeviceSimProcess(std::vector<std::string> args) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    args.insert(args.begin(), IOCPSIM_DEVICE_SIM_EXE);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    log_ = fdopen(fds[0], "r");
  }
  ~DeviceSimProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      wait_exit();
    }
    if (log_ != nullptr) fclose(log_);
  }

  // Reads log lines until one has this event; blocks until the process writes it (or exits).
  nlohmann::json wait_for(const std::string& event) {
    char line[8192];
    while (fgets(line, sizeof line, log_) != nullptr) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      lines.push_back(j);
      if (j.is_object() && j.value("event", "") == event) return j;
    }
    ADD_FAILURE() << "the log ended before a \"" << event << "\" line";
    return {};
  }
  int wait_exit() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::vector<nlohmann::json> lines;

 private:
  pid_t pid_ = -1;
  FILE* log_ = nullptr;
};

std::string write_script(const std::string& name, const std::string& text) {
  const auto path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(DeviceSimMainTest, ServesAHostAndExitsCleanlyWhenTheScriptIsDone) {
  const auto script = write_script("devsim_bye.json", R"({"name": "d1", "script": [
      {"step": "expect", "message": {"type": "hello", "host_id": "cli-host"}}, {"step": "say_bye"}]})");
  DeviceSimProcess sim({"--listen", "127.0.0.1:0", "--seed", "5", "--exit-when-done", script});
  const auto bound = sim.wait_for("listening");
  asio::io_context io;
  testing::TestClient client(io);
  ASSERT_FALSE(client.connect({asio::ip::make_address("127.0.0.1"), bound["port"].get<unsigned short>()}));
  client.send(pr::Hello{1, 1, 7, "cli-host"});
  client.start_reading();
  ASSERT_TRUE(testing::run_until(io, [&] { return bool(client.read_error); }));
  EXPECT_EQ(client.read_error, asio::error::eof);
  ASSERT_EQ(client.frames.size(), 2u);
  EXPECT_EQ(client.frames[0]["type"], "hello_ack");
  EXPECT_EQ(client.frames[1]["type"], "bye");
  client.socket().close();
  const auto summary = sim.wait_for("device_summary");
  EXPECT_EQ(summary["script"], "finished");
  EXPECT_EQ(summary["record"]["received"]["hello"], 1);
  EXPECT_EQ(sim.wait_for("run_finished")["seed"], 5);
  EXPECT_EQ(sim.wait_exit(), 0);
}

TEST(DeviceSimMainTest, ExitsWithOneWhenAStepFails) {
  const auto script =
      write_script("devsim_fail.json", R"({"script": [{"step": "wait_for_connection", "within_ms": 0}]})");
  DeviceSimProcess sim({"--listen", "127.0.0.1:0", "--exit-when-done", script});
  const auto failed = sim.wait_for("step_failed");
  EXPECT_EQ(failed["step"], "script[0]");
  EXPECT_EQ(sim.wait_exit(), 1);
}

TEST(DeviceSimMainTest, ExitsWithFourWhenThePortIsTaken) {
  asio::io_context io;
  asio::ip::tcp::acceptor taken(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto script = write_script("devsim_taken.json", "{}");
  DeviceSimProcess sim({"--listen", "127.0.0.1:" + std::to_string(taken.local_endpoint().port()), script});
  EXPECT_EQ(sim.wait_exit(), 4);
}

TEST(DeviceSimMainTest, ExitsWithTwoForAnInvalidScript) {
  const auto script = write_script("devsim_bad.json", R"({"script": [{"step": "wiat"}]})");
  DeviceSimProcess sim({"--listen", "127.0.0.1:0", script});
  EXPECT_EQ(sim.wait_exit(), 2);
}

}  // namespace
}  // namespace iocpsim::devsim
