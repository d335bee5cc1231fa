// The errno -> NTSTATUS -> Win32/Winsock table: every code the rows of IOCP-SEMANTICS.md name.
#include "error_map.hpp"

#include <gtest/gtest.h>

#include <cerrno>

namespace iocpsim::iocp::detail {
namespace {

struct Expected {
  int errno_value;
  NTSTATUS status;
  DWORD win32;
  int wsa;
};

class ErrorMapTest : public ::testing::TestWithParam<Expected> {};

TEST_P(ErrorMapTest, MapsTheHostErrorToWhatWindowsReports) {
  const Expected e = GetParam();
  EXPECT_EQ(status_from_errno(e.errno_value), e.status);
  EXPECT_EQ(win32_from_status(e.status), e.win32);
  EXPECT_EQ(wsa_from_status(e.status), e.wsa);
  EXPECT_EQ(wsa_from_errno(e.errno_value), e.wsa);
}

INSTANTIATE_TEST_SUITE_P(RowsOfTheSemanticsTable, ErrorMapTest,
                         ::testing::Values(Expected{ECONNRESET, STATUS_CONNECTION_RESET, 64, 10054},        // R5, R5c
                                           Expected{ECONNREFUSED, STATUS_CONNECTION_REFUSED, 1225, 10061},  // R12
                                           Expected{ETIMEDOUT, STATUS_IO_TIMEOUT, 121, 10060},              // R12
                                           Expected{ENETUNREACH, STATUS_NETWORK_UNREACHABLE, 1231, 10051},  // R12
                                           Expected{EHOSTUNREACH, STATUS_HOST_UNREACHABLE, 1232, 10065},    // R12
                                           Expected{ECONNABORTED, STATUS_CONNECTION_ABORTED, 1236, 10053},  // R6
                                           Expected{EMSGSIZE, STATUS_BUFFER_OVERFLOW, 234, 10040}));        // R16

TEST(ErrorMapStatusTest, StatusesTheEmulationRaisesItselfMapToTheirRows) {
  EXPECT_EQ(win32_from_status(STATUS_CANCELLED), ERROR_OPERATION_ABORTED);  // R6b, R7
  EXPECT_EQ(wsa_from_status(STATUS_CANCELLED), WSA_OPERATION_ABORTED);
  EXPECT_EQ(win32_from_status(STATUS_PORT_UNREACHABLE), ERROR_PORT_UNREACHABLE);  // R16b
  EXPECT_EQ(win32_from_status(STATUS_SUCCESS), ERROR_SUCCESS);
}

TEST(ErrorMapStatusTest, APipeErrorIsAReset) { EXPECT_EQ(status_from_errno(EPIPE), STATUS_CONNECTION_RESET); }

TEST(ErrorMapStatusTest, AnUnknownErrnoIsAFailureNotASuccess) {
  const NTSTATUS status = status_from_errno(EDOM);
  EXPECT_LT(status, 0);
  EXPECT_NE(win32_from_status(status), ERROR_SUCCESS);
}

TEST(ErrorMapStatusTest, AnUnknownStatusGetsWindowsNoMappingCode) {
  EXPECT_EQ(win32_from_status(static_cast<NTSTATUS>(0xC0DE0001u)), 317u);
}

// A Winsock host reports WSAE* codes; each must come back to the errno whose row says the same
// thing, so the Windows outcome is the one the table gives on Linux.
TEST(ErrorMapWinsockTest, EveryRowsWinsockCodeComesBackToAnErrnoWithTheSameOutcome) {
  for (const int wsa :
       {WSAECONNRESET, WSAECONNREFUSED, WSAETIMEDOUT, WSAENETUNREACH, WSAEHOSTUNREACH, WSAECONNABORTED, WSAEMSGSIZE,
        WSAENOTCONN, WSAEISCONN, WSAESHUTDOWN, WSAEADDRINUSE, WSAEADDRNOTAVAIL, WSAEINVAL, WSAENOTSOCK, WSAENOBUFS}) {
    EXPECT_EQ(wsa_from_errno(errno_from_wsa(wsa)), wsa) << wsa;
  }
}

TEST(ErrorMapWinsockTest, WouldBlockAndInProgressAreNotFailures) {
  EXPECT_EQ(errno_from_wsa(WSAEWOULDBLOCK), EWOULDBLOCK);
  EXPECT_EQ(errno_from_wsa(WSAEINPROGRESS), EINPROGRESS);
}

TEST(ErrorMapWinsockTest, ANetworkResetIsAConnectionReset) { EXPECT_EQ(errno_from_wsa(WSAENETRESET), ECONNRESET); }

TEST(ErrorMapWinsockTest, AnUnknownWinsockCodeIsAFailureNotASuccess) {
  const int host_error = errno_from_wsa(10999);
  EXPECT_NE(host_error, 0);
  EXPECT_NE(status_from_errno(host_error), STATUS_SUCCESS);
}

}  // namespace
}  // namespace iocpsim::iocp::detail
