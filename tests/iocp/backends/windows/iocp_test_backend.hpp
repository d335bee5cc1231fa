// The IoApi backends the conformance suite runs on in this build: the native Win32 calls.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "iocpsim/iocp/native_io_api.hpp"
#include "wine_detect.hpp"

namespace iocpsim::iocp::testing {

struct NativeBackend {
  static std::unique_ptr<IoApi> make() { return make_native_io_api(); }

  // Windows offers no count of a process's pending I/O; each test closes what it opened and
  // checks its own packets instead.
  static void expect_nothing_outstanding(IoApi&) {}

  static bool under_wine() { return running_under_wine(); }
};

using IocpTestBackends = ::testing::Types<NativeBackend>;

}  // namespace iocpsim::iocp::testing
