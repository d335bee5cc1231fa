#include <condition_variable>
#include <mutex>

#include "iocpsim/iocp/win32.hpp"
#include "stop_request.hpp"

namespace iocpsim::hostd {
namespace {
std::mutex g_mutex;
std::condition_variable g_requested;
const char* g_name = nullptr;

BOOL WINAPI on_console_event(DWORD type) {
  std::lock_guard lock(g_mutex);
  g_name = type == CTRL_C_EVENT ? "CTRL_C" : type == CTRL_BREAK_EVENT ? "CTRL_BREAK" : "CTRL_CLOSE";
  g_requested.notify_all();
  return TRUE;  // handled: the drain runs instead of the default termination
}
}  // namespace

void request_stop(const char* name) {
  std::lock_guard lock(g_mutex);
  g_name = name;
  g_requested.notify_all();
}

void prepare_stop_request() { SetConsoleCtrlHandler(on_console_event, TRUE); }

const char* wait_for_stop_request() {
  std::unique_lock lock(g_mutex);
  g_requested.wait(lock, [] { return g_name != nullptr; });
  return g_name;
}

}  // namespace iocpsim::hostd
