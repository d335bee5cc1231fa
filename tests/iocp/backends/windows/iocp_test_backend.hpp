// The IoApi backends the conformance suite runs on in this build: the native Win32 calls, and
// the emulation over Winsock, so one run checks the emulation against the real thing.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "emulated_backend.hpp"
#include "sim_backend.hpp"
#include "iocpsim/iocp/native_io_api.hpp"
#include "wine_detect.hpp"

namespace iocpsim::iocp::testing {

struct NativeBackend {
  static std::unique_ptr<IoApi> make() { return make_native_io_api(); }

  // Windows offers no count of a process's pending I/O; each test closes what it opened and
  // checks its own packets instead.
  static void expect_nothing_outstanding(IoApi&) {}

  static bool under_wine() { return running_under_wine(); }
  static bool emulated_under_wine() { return false; }
};

#if defined(IOCPSIM_CONFORMANCE_WITH_SIM)
using IocpTestBackends = ::testing::Types<NativeBackend, EmulatedBackend, SimBackend>;
#else
using IocpTestBackends = ::testing::Types<NativeBackend, EmulatedBackend>;
#endif

}  // namespace iocpsim::iocp::testing
