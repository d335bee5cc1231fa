// run_child where runs cannot be isolated (the Windows build): every run stays in the calling
// process, guarded by its watchdog (commands.cpp).
#include "child_process.hpp"

namespace iocpsim::cli {

bool child_processes_supported() { return false; }

std::string self_path(const char* argv0) { return argv0; }

bool write_to_parent(const std::string&) { return false; }

std::string signal_name(int signal) { return "signal " + std::to_string(signal); }

ChildOutcome run_child(const std::string&, const ChildRequest&) {
  ChildOutcome out;
  out.spawn_error = "child processes are not supported on this platform";
  return out;
}

}  // namespace iocpsim::cli
