// hostd as a real Windows service: registered with the Service Control Manager, started by it,
// stopped by SERVICE_CONTROL_STOP, and the drain it then runs must end with zero leaks.
//
// Windows builds only (under Wine in CI). Needs the right to create services: without it the
// test is skipped with the reason.
#include <windows.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

// Each wait below ends on the event it waits for; the deadline only turns a hang into a failure.
constexpr DWORD kStateDeadlineMs = 60'000;

std::string directory_of_this_program() {
  char path[MAX_PATH] = {};
  const DWORD n = GetModuleFileNameA(nullptr, path, MAX_PATH);
  std::string s(path, n);
  return s.substr(0, s.find_last_of("\\/"));
}

std::string hostd_exe() {
  std::string rel = IOCPSIM_HOSTD_FROM_TEST_DIR;  // set by CMake: hostd.exe relative to this test
  for (char& c : rel) {
    if (c == '/') c = '\\';
  }
  return directory_of_this_program() + "\\" + rel;
}

struct ScHandle {
  SC_HANDLE h = nullptr;
  explicit ScHandle(SC_HANDLE handle) : h(handle) {}
  ~ScHandle() {
    if (h != nullptr) CloseServiceHandle(h);
  }
  ScHandle(const ScHandle&) = delete;
  ScHandle& operator=(const ScHandle&) = delete;
};

// What the SCM's notification callback saw.
struct Notified {
  bool fired = false;
  DWORD status = ERROR_SUCCESS;
  SERVICE_STATUS_PROCESS state{};
};

void CALLBACK on_status_notification(void* parameter) {
  const auto* notify = static_cast<SERVICE_NOTIFYW*>(parameter);
  auto* out = static_cast<Notified*>(notify->pContext);
  out->fired = true;
  out->status = notify->dwNotificationStatus;
  out->state = notify->ServiceStatus;
}

// Waits, alertably, for the SCM to report one of the states in `mask` (SERVICE_NOTIFY_*): the SCM
// queues the callback at once when the service already is in one of them. Returns the state.
DWORD wait_for_state(SC_HANDLE service, DWORD mask, SERVICE_STATUS_PROCESS* last) {
  // Static: a notification still registered when the deadline fails the test may be delivered by a
  // later alertable wait of this thread; it must not find a dead stack frame.
  static SERVICE_NOTIFYW notify;
  static Notified out;
  notify = SERVICE_NOTIFYW{};
  out = Notified{};
  notify.dwVersion = SERVICE_NOTIFY_STATUS_CHANGE;
  notify.pfnNotifyCallback = on_status_notification;
  notify.pContext = &out;
  const DWORD rc = NotifyServiceStatusChangeW(service, mask, &notify);
  if (rc != ERROR_SUCCESS) {
    ADD_FAILURE() << "NotifyServiceStatusChange failed with " << rc;
    return 0;
  }
  const ULONGLONG deadline = GetTickCount64() + kStateDeadlineMs;
  while (!out.fired) {
    const ULONGLONG now = GetTickCount64();
    if (now >= deadline) {
      ADD_FAILURE() << "no status notification within " << kStateDeadlineMs << " ms";
      return 0;
    }
    SleepEx(static_cast<DWORD>(deadline - now), TRUE);  // returns when the callback has run
  }
  EXPECT_EQ(out.status, static_cast<DWORD>(ERROR_SUCCESS)) << "the notification reported an error";
  *last = out.state;
  return out.state.dwCurrentState;
}

TEST(HostdServiceTest, TheScmStartsItAndItsStopDrainsWithZeroLeaks) {
  ScHandle scm(
      OpenSCManagerA(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE | SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE));
  if (scm.h == nullptr) {
    GTEST_SKIP() << "OpenSCManager failed with " << GetLastError()
                 << " (creating a service needs administrator rights)";
  }
  char temp[MAX_PATH] = {};
  ASSERT_NE(GetTempPathA(MAX_PATH, temp), 0u);
  const std::string name = "iocpsim-hostd-test-" + std::to_string(GetCurrentProcessId());
  const std::string config_path = std::string(temp) + name + ".json";
  const std::string log_path = std::string(temp) + name + ".jsonl";
  DeleteFileA(log_path.c_str());
  {
    // One device where nothing listens: the engine connects, is refused, backs off and
    // retries, so the stop finds a device with work in progress.
    nlohmann::json config = {{"workers", 2},
                             {"log_path", log_path},
                             {"shutdown_timeout_ms", 5000},
                             {"devices", {{{"name", "press-1"}, {"host", "127.0.0.1"}, {"port", 1}}}}};
    std::ofstream(config_path) << config.dump(2);
  }
  const std::string command = "\"" + hostd_exe() + "\" --service \"" + config_path + "\"";

  ScHandle service(CreateServiceA(scm.h, name.c_str(), "iocpsim hostd (test)", SERVICE_ALL_ACCESS,
                                  SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL,
                                  command.c_str(), nullptr, nullptr, nullptr, nullptr, nullptr));
  ASSERT_NE(service.h, nullptr) << "CreateService failed with " << GetLastError();
  struct Cleanup {
    SC_HANDLE s;
    ~Cleanup() { DeleteService(s); }
  } cleanup{service.h};

  // wine-tests.sh boots the prefix completely (wineboot -u) before any test: the SCM is idle
  // here, and a start that is refused or times out is a failure.
  const auto t0 = std::chrono::steady_clock::now();
  const auto since_t0 = [&t0] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  };
  ASSERT_TRUE(StartServiceA(service.h, 0, nullptr)) << "StartService failed with " << GetLastError();
  std::printf("StartService accepted after %lld ms\n", since_t0());
  SERVICE_STATUS_PROCESS st{};
  ASSERT_EQ(wait_for_state(service.h, SERVICE_NOTIFY_RUNNING | SERVICE_NOTIFY_STOPPED, &st),
            static_cast<DWORD>(SERVICE_RUNNING))
      << "exit code " << st.dwWin32ExitCode << ", service-specific " << st.dwServiceSpecificExitCode;
  EXPECT_EQ(st.dwControlsAccepted & (SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN),
            static_cast<DWORD>(SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN));
  ASSERT_NE(st.dwProcessId, 0u);
  // The service's process: its exit, after STOPPED, means the log is complete.
  const HANDLE process = OpenProcess(SYNCHRONIZE, FALSE, st.dwProcessId);
  ASSERT_NE(process, nullptr) << "OpenProcess failed with " << GetLastError();
  struct CloseProcess {
    HANDLE h;
    ~CloseProcess() { CloseHandle(h); }
  } close_process{process};

  std::printf("running after %lld ms\n", since_t0());
  std::fflush(stdout);
  SERVICE_STATUS control{};
  ASSERT_TRUE(ControlService(service.h, SERVICE_CONTROL_STOP, &control))
      << "ControlService failed with " << GetLastError();
  ASSERT_EQ(wait_for_state(service.h, SERVICE_NOTIFY_STOPPED, &st), static_cast<DWORD>(SERVICE_STOPPED));
  std::printf("stopped after %lld ms\n", since_t0());
  ASSERT_EQ(WaitForSingleObject(process, kStateDeadlineMs), static_cast<DWORD>(WAIT_OBJECT_0))
      << "the service's process did not exit after STOPPED";
  std::printf("its process exited after %lld ms\n", since_t0());
  EXPECT_EQ(st.dwWin32ExitCode, static_cast<DWORD>(NO_ERROR));
  EXPECT_EQ(st.dwServiceSpecificExitCode, 0u);

  // The engine's own account of the drain.
  std::ifstream log(log_path);
  ASSERT_TRUE(log) << log_path << " was not written";
  bool connected_or_tried = false;
  nlohmann::json drained;
  for (std::string line; std::getline(log, line);) {
    const auto e = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(e.is_discarded()) << "not JSON: " << line;
    if (e.value("event", "") == "connect_started") connected_or_tried = true;
    if (e.value("event", "") == "shutdown_drained") drained = e;
  }
  EXPECT_TRUE(connected_or_tried) << "the engine never tried its device";
  ASSERT_TRUE(drained.is_object()) << "no shutdown_drained event in " << log_path;
  EXPECT_EQ(drained["leaked_op_contexts"], 0);
  EXPECT_EQ(drained["leaked_connection_contexts"], 0);
  EXPECT_EQ(drained["workers_joined"], 2);
  log.close();
  DeleteFileA(log_path.c_str());
  DeleteFileA(config_path.c_str());
}

}  // namespace
