// The names of the codes the rows of docs/IOCP-SEMANTICS.md answer with, as messages, logs and the
// timeline print them.
#include "iocpsim/iocp/code_names.hpp"

#include <gtest/gtest.h>

#include "iocpsim/iocp/win32.hpp"

namespace iocpsim::iocp {
namespace {

TEST(CodeNamesTest, EveryCodeTheRowsAnswerWithHasItsName) {
  EXPECT_STREQ(win32_error_name(ERROR_NETNAME_DELETED), "ERROR_NETNAME_DELETED");        // R5
  EXPECT_STREQ(win32_error_name(ERROR_CONNECTION_ABORTED), "ERROR_CONNECTION_ABORTED");  // R6
  EXPECT_STREQ(win32_error_name(ERROR_OPERATION_ABORTED), "ERROR_OPERATION_ABORTED");    // R6b, R7
  EXPECT_STREQ(win32_error_name(ERROR_CONNECTION_REFUSED), "ERROR_CONNECTION_REFUSED");  // R12
  EXPECT_STREQ(win32_error_name(WAIT_TIMEOUT), "WAIT_TIMEOUT");                          // R2
  EXPECT_STREQ(win32_error_name(ERROR_ABANDONED_WAIT_0), "ERROR_ABANDONED_WAIT_0");      // R3
  EXPECT_STREQ(win32_error_name(static_cast<DWORD>(WSAECONNRESET)), "WSAECONNRESET");    // R5b
  EXPECT_STREQ(win32_error_name(ERROR_IO_PENDING), "ERROR_IO_PENDING");
  EXPECT_STREQ(ntstatus_name(static_cast<std::uint32_t>(STATUS_CONNECTION_RESET)), "STATUS_CONNECTION_RESET");
  EXPECT_STREQ(ntstatus_name(static_cast<std::uint32_t>(STATUS_CANCELLED)), "STATUS_CANCELLED");
  EXPECT_STREQ(ntstatus_name(static_cast<std::uint32_t>(STATUS_CONNECTION_ABORTED)), "STATUS_CONNECTION_ABORTED");
  EXPECT_STREQ(ntstatus_name(static_cast<std::uint32_t>(STATUS_SUCCESS)), "STATUS_SUCCESS");
  EXPECT_STREQ(ntstatus_name(static_cast<std::uint32_t>(STATUS_PORT_UNREACHABLE)), "STATUS_PORT_UNREACHABLE");
}

TEST(CodeNamesTest, DescriptionsGiveTheNumberThenTheName) {
  EXPECT_EQ(describe_win32_error(64), "64 ERROR_NETNAME_DELETED");
  EXPECT_EQ(describe_ntstatus(0xC000020Du), "0xC000020D STATUS_CONNECTION_RESET");
  EXPECT_EQ(describe_ntstatus(0xC0000236u), "0xC0000236 STATUS_CONNECTION_REFUSED");
}

TEST(CodeNamesTest, AnUnknownCodeIsItsNumberAlone) {
  EXPECT_EQ(win32_error_name(424242), nullptr);
  EXPECT_EQ(describe_win32_error(424242), "424242");
  EXPECT_EQ(describe_ntstatus(0xC0DEC0DEu), "0xC0DEC0DE");
}

}  // namespace
}  // namespace iocpsim::iocp
