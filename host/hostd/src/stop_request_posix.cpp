#include <signal.h>
#include <unistd.h>

#include "stop_request.hpp"

namespace iocpsim::hostd {
namespace {
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void prepare_stop_request() {
  // Blocked in every thread (they inherit the mask) so that only sigwait() below takes them.
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void request_stop(const char* /*name*/) { kill(getpid(), SIGTERM); }

const char* wait_for_stop_request() {
  const sigset_t set = stop_signals();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

}  // namespace iocpsim::hostd
