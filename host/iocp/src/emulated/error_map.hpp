// errno -> NTSTATUS -> Win32 / Winsock error codes, from one table (error_map.cpp).
#pragma once

#include "iocpsim/iocp/win32.hpp"

namespace iocpsim::iocp::detail {

// The NTSTATUS an operation that failed with this errno completes with.
NTSTATUS status_from_errno(int errno_value);
// What GetLastError() reports after GQCS dequeues a packet with this status
// (RtlNtStatusToDosError).
DWORD win32_from_status(NTSTATUS status);
// What WSAGetLastError() reports for the same status (WSAGetOverlappedResult, immediate failures).
int wsa_from_status(NTSTATUS status);
// Shorthand for calls that fail at once.
int wsa_from_errno(int errno_value);

}  // namespace iocpsim::iocp::detail
