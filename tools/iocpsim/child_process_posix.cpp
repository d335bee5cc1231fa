// run_child on POSIX: posix_spawn, two pipes read with poll(), SIGKILL at the deadline.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include "child_process.hpp"

extern char** environ;

namespace iocpsim::cli {
namespace {

struct Pipe {
  int read = -1;
  int write = -1;
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;  // no other child may inherit our ends
    read = fds[0];
    write = fds[1];
    return true;
  }
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  ~Pipe() {
    close_fd(read);
    close_fd(write);
  }
};

// Splits the report stream into lines and keeps what the outcome needs of them.
class ReportReader {
 public:
  explicit ReportReader(ChildOutcome& out) : out_(out) {}
  void feed(const char* data, std::size_t n) {
    pending_.append(data, n);
    for (std::size_t nl; (nl = pending_.find('\n')) != std::string::npos; pending_.erase(0, nl + 1))
      line(pending_.substr(0, nl));
  }

 private:
  void line(const std::string& text) {
    if (text.rfind("{\"event\":", 0) == 0) {
      out_.last_events.push_back(text.substr(9, text.size() - 10));
      if (out_.last_events.size() > kChildLastEvents) out_.last_events.pop_front();
      return;
    }
    auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object() && parsed.contains("result")) out_.result = std::move(parsed["result"]);
  }
  ChildOutcome& out_;
  std::string pending_;
};

void keep_tail(std::string& tail, const char* data, std::size_t n) {
  tail.append(data, n);
  if (tail.size() > 2 * kChildOutputTailBytes) tail.erase(0, tail.size() - kChildOutputTailBytes);
}

// Reads both pipes until the child closes them or the deadline passes.
void pump(int report_fd, int output_fd, std::chrono::steady_clock::time_point deadline, pid_t pid, ChildOutcome& out) {
  ReportReader reader(out);
  std::array<pollfd, 2> fds{{{report_fd, POLLIN, 0}, {output_fd, POLLIN, 0}}};
  std::vector<char> buffer(64 * 1024);
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      out.killed_at_deadline = true;
      return;
    }
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left.count(), INT_MAX)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;  // closed (the pipe objects close the descriptors)
        continue;
      }
      if (i == 0) {
        reader.feed(buffer.data(), static_cast<std::size_t>(n));
      } else {
        keep_tail(out.output_tail, buffer.data(), static_cast<std::size_t>(n));
      }
    }
  }
}

}  // namespace

bool child_processes_supported() { return true; }

bool write_to_parent(const std::string& line) {
  for (std::size_t done = 0; done < line.size();) {
    const ssize_t n = ::write(kChildReportFd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::string signal_name(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  const char* text = sigdescr_np(signal);
  return std::string(abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(signal)) +
         (text ? std::string(" (") + text + ")" : "");
}

std::string self_path(const char* argv0) {
  std::array<char, 4096> path{};
  const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  return n > 0 ? std::string(path.data(), static_cast<std::size_t>(n)) : std::string(argv0);
}

ChildOutcome run_child(const std::string& self, const ChildRequest& request) {
  ChildOutcome out;
  Pipe report;
  Pipe output;
  if (!report.open() || !output.open()) {
    out.spawn_error = std::string("pipe: ") + std::strerror(errno);
    return out;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, report.write, kChildReportFd);
  posix_spawn_file_actions_adddup2(&actions, output.write, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output.write, STDERR_FILENO);
  const std::string seed = std::to_string(request.seed);
  std::vector<std::string> args = {self, "play-child", request.file, "--seed", seed, "--world", request.world};
  if (!request.schedule.empty()) {
    args.emplace_back("--schedule");
    args.push_back(request.schedule);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const auto started = std::chrono::steady_clock::now();
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    out.spawn_error = "posix_spawn " + self + ": " + std::strerror(rc);
    return out;
  }
  Pipe::close_fd(report.write);  // the child holds its own copies: EOF comes when it ends
  Pipe::close_fd(output.write);
  pump(report.read, output.read, started + request.deadline, pid, out);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
  if (out.output_tail.size() > kChildOutputTailBytes)
    out.output_tail.erase(0, out.output_tail.size() - kChildOutputTailBytes);
  return out;
}

}  // namespace iocpsim::cli
