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
#include <thread>
#include <vector>

namespace {

// The SCM has no "wait until state X" call besides NotifyServiceStatusChange (alertable, and
// missing from older Wine); sc.exe and PowerShell poll the status too. The deadline only turns a
// hang into a failure.
constexpr auto kStateDeadline = std::chrono::seconds(60);

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

SERVICE_STATUS_PROCESS status_of(SC_HANDLE service) {
  SERVICE_STATUS_PROCESS st{};
  DWORD needed = 0;
  if (!QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&st), sizeof st,
                            &needed)) {
    ADD_FAILURE() << "QueryServiceStatusEx failed with " << GetLastError();
  }
  return st;
}

// Polls until the service leaves the states in `passing`; returns the state it settled in.
DWORD wait_while(SC_HANDLE service, std::initializer_list<DWORD> passing, SERVICE_STATUS_PROCESS* last) {
  const auto deadline = std::chrono::steady_clock::now() + kStateDeadline;
  for (;;) {
    *last = status_of(service);
    bool in_passing = false;
    for (DWORD s : passing) in_passing = in_passing || last->dwCurrentState == s;
    if (!in_passing || std::chrono::steady_clock::now() > deadline) return last->dwCurrentState;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// True when no service is starting or stopping. A fresh Wine prefix is still starting its own
// services for a while after wineboot returns; a start requested meanwhile can time out (1053)
// because the SCM serves one start at a time.
bool scm_idle(SC_HANDLE scm, std::string* busy) {
  std::vector<BYTE> buf(256 * 1024);  // ENUM_SERVICE_STATUS_PROCESS is ~50 bytes plus names
  DWORD needed = 0, count = 0, resume = 0;
  if (!EnumServicesStatusExA(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32 | SERVICE_DRIVER, SERVICE_STATE_ALL,
                             buf.data(), static_cast<DWORD>(buf.size()), &needed, &count, &resume, nullptr)) {
    const DWORD e = GetLastError();
    *busy = "nothing: EnumServicesStatusEx failed with " + std::to_string(e);
    return e != ERROR_MORE_DATA;  // cannot tell: go on, and let StartService's answer speak
  }
  const auto* e = reinterpret_cast<const ENUM_SERVICE_STATUS_PROCESSA*>(buf.data());
  for (DWORD i = 0; i < count; ++i) {
    const DWORD state = e[i].ServiceStatusProcess.dwCurrentState;
    if (state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING) {
      *busy = e[i].lpServiceName;
      return false;
    }
  }
  return true;
}

TEST(HostdServiceTest, TheScmStartsItAndItsStopDrainsWithZeroLeaks) {
  ScHandle scm(OpenSCManagerA(nullptr, nullptr,
                              SC_MANAGER_CREATE_SERVICE | SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE));
  if (scm.h == nullptr) {
    GTEST_SKIP() << "OpenSCManager failed with " << GetLastError()
                 << " (creating a service needs administrator rights)";
  }
  {
    const auto idle_deadline = std::chrono::steady_clock::now() + 2 * kStateDeadline;
    std::string busy;
    while (!scm_idle(scm.h, &busy)) {
      ASSERT_LT(std::chrono::steady_clock::now(), idle_deadline) << "the SCM stayed busy with " << busy;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
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

  // Right after boot the SCM holds its start-up lock while it starts the auto-start services:
  // StartService then answers ERROR_SERVICE_DATABASE_LOCKED, which means "try again".
  const auto t0 = std::chrono::steady_clock::now();
  const auto since_t0 = [&t0] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  };
  const auto start_deadline = t0 + kStateDeadline;
  int locked = 0;
  while (!StartServiceA(service.h, 0, nullptr)) {
    ++locked;
    const DWORD e = GetLastError();
    ASSERT_EQ(e, static_cast<DWORD>(ERROR_SERVICE_DATABASE_LOCKED)) << "StartService failed with " << e;
    ASSERT_LT(std::chrono::steady_clock::now(), start_deadline) << "the SCM database stayed locked";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::printf("StartService accepted after %lld ms (%d answers of 'database locked')\n", since_t0(), locked);
  SERVICE_STATUS_PROCESS st{};
  ASSERT_EQ(wait_while(service.h, {SERVICE_START_PENDING, SERVICE_STOPPED}, &st),
            static_cast<DWORD>(SERVICE_RUNNING))
      << "exit code " << st.dwWin32ExitCode << ", service-specific " << st.dwServiceSpecificExitCode;
  EXPECT_EQ(st.dwControlsAccepted & (SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN),
            static_cast<DWORD>(SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN));
  EXPECT_NE(st.dwProcessId, 0u);

  std::printf("running after %lld ms\n", since_t0());
  SERVICE_STATUS control{};
  ASSERT_TRUE(ControlService(service.h, SERVICE_CONTROL_STOP, &control))
      << "ControlService failed with " << GetLastError();
  ASSERT_EQ(wait_while(service.h, {SERVICE_RUNNING, SERVICE_STOP_PENDING}, &st),
            static_cast<DWORD>(SERVICE_STOPPED));
  std::printf("stopped after %lld ms\n", since_t0());
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
