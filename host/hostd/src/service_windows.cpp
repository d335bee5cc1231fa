// The Service Control Manager's side of hostd. The SCM calls service_main on a thread of its
// own; the control handler turns STOP/SHUTDOWN into the same stop request as Ctrl-C.
#include <cstdio>

#include "iocpsim/iocp/win32.hpp"
#include "service.hpp"
#include "stop_request.hpp"

namespace iocpsim::hostd {
namespace {

char g_service_name[] = "iocpsim-hostd";  // the SCM ignores it for an own-process service
SERVICE_STATUS_HANDLE g_handle = nullptr;
SERVICE_STATUS g_status{};
const std::function<int()>* g_body = nullptr;

void report(DWORD state, DWORD exit_code = NO_ERROR, DWORD wait_hint_ms = 0) {
  g_status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  g_status.dwCurrentState = state;
  g_status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
  g_status.dwWin32ExitCode = exit_code == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
  g_status.dwServiceSpecificExitCode = exit_code;
  g_status.dwWaitHint = wait_hint_ms;
  if (state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING) {
    ++g_status.dwCheckPoint;
  } else {
    g_status.dwCheckPoint = 0;
  }
  SetServiceStatus(g_handle, &g_status);
}

DWORD WINAPI on_control(DWORD control, DWORD /*type*/, LPVOID /*data*/, LPVOID /*context*/) {
  switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
      report(SERVICE_STOP_PENDING, NO_ERROR, 15'000);
      request_stop(control == SERVICE_CONTROL_STOP ? "SERVICE_CONTROL_STOP" : "SERVICE_CONTROL_SHUTDOWN");
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;
    default:
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

void WINAPI service_main(DWORD /*argc*/, LPSTR* /*argv*/) {
  g_handle = RegisterServiceCtrlHandlerExA(g_service_name, on_control, nullptr);
  if (g_handle == nullptr) return;
  report(SERVICE_RUNNING);
  const int code = (*g_body)();
  report(SERVICE_STOPPED, static_cast<DWORD>(code));
}

}  // namespace

int run_as_service(const std::function<int()>& body) {
  g_body = &body;
  SERVICE_TABLE_ENTRYA table[] = {{g_service_name, service_main}, {nullptr, nullptr}};
  if (!StartServiceCtrlDispatcherA(table)) {
    const DWORD e = GetLastError();
    std::fprintf(stderr, "hostd: not started by the Service Control Manager (error %lu)%s\n",
                 static_cast<unsigned long>(e),
                 e == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT ? "; run it without --service" : "");
    return -1;
  }
  return static_cast<int>(g_status.dwServiceSpecificExitCode);
}

void service_draining() {
  if (g_handle != nullptr) report(SERVICE_STOP_PENDING, NO_ERROR, 15'000);
}

}  // namespace iocpsim::hostd
