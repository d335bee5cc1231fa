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
// The other way, for a Winsock host: the errno value the emulation uses for what Winsock
// reported (the table's first row with that Winsock code, or one of the host-only codes).
int errno_from_wsa(int wsa_error);

}  // namespace iocpsim::iocp::detail
