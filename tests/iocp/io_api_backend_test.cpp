// The one place that picks the backend hands out a working one.
#include "iocpsim/iocp/io_api_backend.hpp"

#include <gtest/gtest.h>

#include <string>

namespace iocpsim::iocp {
namespace {

TEST(IoApiBackendTest, TheDefaultBackendMakesAWorkingPort) {
  const auto io = make_default_io_api();
  const HANDLE port = io->CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  ASSERT_NE(port, nullptr);
  EXPECT_EQ(io->PostQueuedCompletionStatus(port, 3, 4, nullptr), TRUE);
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  OVERLAPPED* ov = nullptr;
  EXPECT_EQ(io->GetQueuedCompletionStatus(port, &bytes, &key, &ov, 10000), TRUE);
  EXPECT_EQ(key, 4u);
  EXPECT_EQ(io->CloseHandle(port), TRUE);
}

TEST(IoApiBackendTest, TheBackendNameSaysWhichOneWasChosen) {
  const std::string name = default_io_api_name();
  EXPECT_TRUE(name == "emulated" || name == "native") << name;
}

}  // namespace
}  // namespace iocpsim::iocp
