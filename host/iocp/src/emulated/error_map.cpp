// The one table that turns a host errno into what Windows reports for the same event.
//
// Each row is one Windows outcome: the NTSTATUS an I/O completes with (OVERLAPPED.Internal and
// GQCSEx's entry.Internal), the Win32 code GetLastError() shows after GQCS
// (RtlNtStatusToDosError), and the Winsock code for WSAGetOverlappedResult and for calls that
// fail at once. The errno column says which host errors produce it (Wine's mapping as a start).
// Rows with errno 0 are outcomes the emulation produces itself (cancel, local abort).
#include "error_map.hpp"

#include <span>

#include "host_socket.hpp"  // ESHUTDOWN and EHOSTDOWN on hosts whose errno lacks them

namespace iocpsim::iocp::detail {
namespace {

struct ErrorRow {
  int errno_value;
  NTSTATUS status;
  DWORD win32;
  int wsa;
};

// clang-format off
constexpr ErrorRow kErrorTable[] = {
  // errno          NTSTATUS                           Win32 (GQCS)                 Winsock
  {0,               STATUS_SUCCESS,                    ERROR_SUCCESS,               0},
  {ECONNRESET,      STATUS_CONNECTION_RESET,           ERROR_NETNAME_DELETED,       WSAECONNRESET},   // R5, R5b, R5c
  {EPIPE,           STATUS_CONNECTION_RESET,           ERROR_NETNAME_DELETED,       WSAECONNRESET},   // R5d: send after RST
  {0,               STATUS_CONNECTION_ABORTED,         ERROR_CONNECTION_ABORTED,    WSAECONNABORTED}, // R6: we closed it
  {ECONNABORTED,    STATUS_CONNECTION_ABORTED,         ERROR_CONNECTION_ABORTED,    WSAECONNABORTED},
  {0,               STATUS_CANCELLED,                  ERROR_OPERATION_ABORTED,     WSA_OPERATION_ABORTED}, // R6b, R7
  {ECONNREFUSED,    STATUS_CONNECTION_REFUSED,         ERROR_CONNECTION_REFUSED,    WSAECONNREFUSED}, // R12
  {ETIMEDOUT,       STATUS_IO_TIMEOUT,                 ERROR_SEM_TIMEOUT,           WSAETIMEDOUT},    // R12
  {ENETUNREACH,     STATUS_NETWORK_UNREACHABLE,        ERROR_NETWORK_UNREACHABLE,   WSAENETUNREACH},  // R12
  {EHOSTUNREACH,    STATUS_HOST_UNREACHABLE,           ERROR_HOST_UNREACHABLE,      WSAEHOSTUNREACH}, // R12
  {EHOSTDOWN,       STATUS_HOST_UNREACHABLE,           ERROR_HOST_UNREACHABLE,      WSAEHOSTUNREACH},
  {0,               STATUS_PORT_UNREACHABLE,           ERROR_PORT_UNREACHABLE,      WSAECONNRESET},   // R16b
  {EMSGSIZE,        STATUS_BUFFER_OVERFLOW,            ERROR_MORE_DATA,             WSAEMSGSIZE},     // R16
  {ENOTCONN,        STATUS_INVALID_CONNECTION,         ERROR_CONNECTION_INVALID,    WSAENOTCONN},
  {EISCONN,         STATUS_CONNECTION_ACTIVE,          ERROR_CONNECTION_ACTIVE,     WSAEISCONN},
  {ESHUTDOWN,       STATUS_PIPE_DISCONNECTED,          ERROR_PIPE_NOT_CONNECTED,    WSAESHUTDOWN},
  {EADDRINUSE,      STATUS_ADDRESS_ALREADY_EXISTS,     ERROR_DUP_NAME,              WSAEADDRINUSE},
  {EADDRNOTAVAIL,   STATUS_INVALID_ADDRESS_COMPONENT,  ERROR_INVALID_NETNAME,       WSAEADDRNOTAVAIL},
  {EINVAL,          STATUS_INVALID_PARAMETER,          ERROR_INVALID_PARAMETER,     WSAEINVAL},
  {EFAULT,          STATUS_ACCESS_VIOLATION,           ERROR_NOACCESS,              WSAEFAULT},
  {EBADF,           STATUS_INVALID_HANDLE,             ERROR_INVALID_HANDLE,        WSAENOTSOCK},
  {ENOTSOCK,        STATUS_INVALID_HANDLE,             ERROR_INVALID_HANDLE,        WSAENOTSOCK},
  {ENOBUFS,         STATUS_NO_MEMORY,                  ERROR_NOT_ENOUGH_MEMORY,     WSAENOBUFS},
  {ENOMEM,          STATUS_NO_MEMORY,                  ERROR_NOT_ENOUGH_MEMORY,     WSAENOBUFS},
  {EMFILE,          STATUS_TOO_MANY_OPENED_FILES,      ERROR_TOO_MANY_OPEN_FILES,   WSAEMFILE},
  {ENFILE,          STATUS_TOO_MANY_OPENED_FILES,      ERROR_TOO_MANY_OPEN_FILES,   WSAEMFILE},
  {EACCES,          STATUS_ACCESS_DENIED,              ERROR_ACCESS_DENIED,         WSAEACCES},
  {EPERM,           STATUS_ACCESS_DENIED,              ERROR_ACCESS_DENIED,         WSAEACCES},
  {EAFNOSUPPORT,    STATUS_NOT_SUPPORTED,              ERROR_NOT_SUPPORTED,         WSAEAFNOSUPPORT},
  {EPROTONOSUPPORT, STATUS_NOT_SUPPORTED,              ERROR_NOT_SUPPORTED,         WSAEPROTONOSUPPORT},
  {EOPNOTSUPP,      STATUS_NOT_SUPPORTED,              ERROR_NOT_SUPPORTED,         WSAEOPNOTSUPP},
  {ENOPROTOOPT,     STATUS_NOT_SUPPORTED,              ERROR_NOT_SUPPORTED,         WSAENOPROTOOPT},
  {EALREADY,        STATUS_INVALID_PARAMETER,          ERROR_INVALID_PARAMETER,     WSAEALREADY},
  {ENETDOWN,        STATUS_NETWORK_UNREACHABLE,        ERROR_NETWORK_UNREACHABLE,   WSAENETDOWN},
  {EINTR,           STATUS_CANCELLED,                  ERROR_OPERATION_ABORTED,     WSAEINTR},
};
// clang-format on

// Host-only codes: what a non-blocking call on a Winsock host reports that is no outcome of an
// operation, so it has no NTSTATUS and never reaches a packet.
// clang-format off
constexpr ErrorRow kHostOnlyTable[] = {
  {EWOULDBLOCK,     STATUS_PENDING,                    ERROR_IO_PENDING,            WSAEWOULDBLOCK},
  {EINPROGRESS,     STATUS_PENDING,                    ERROR_IO_PENDING,            WSAEINPROGRESS},
  {ECONNRESET,      STATUS_CONNECTION_RESET,           ERROR_NETNAME_DELETED,       WSAENETRESET},
};
// clang-format on

// A Winsock code no row names: it becomes an errno no row names either, so it ends as kUnknown.
constexpr int kUnmappedHostError = 0x7FFF;

// Anything the table does not name: a generic failure, reported as such rather than as success.
constexpr ErrorRow kUnknown = {0, static_cast<NTSTATUS>(0xC0000001u) /* STATUS_UNSUCCESSFUL */,
                               31 /* ERROR_GEN_FAILURE */, WSAEINVAL};

const ErrorRow& row_for_errno(int errno_value) {
  for (const ErrorRow& row : kErrorTable) {
    if (row.errno_value == errno_value && errno_value != 0) return row;
  }
  return kUnknown;
}

const ErrorRow& row_for_status(NTSTATUS status) {
  for (const ErrorRow& row : kErrorTable) {
    if (row.status == status) return row;
  }
  return kUnknown;
}

}  // namespace

NTSTATUS status_from_errno(int errno_value) { return row_for_errno(errno_value).status; }

DWORD win32_from_status(NTSTATUS status) {
  if (status == kUnknown.status) return kUnknown.win32;
  const ErrorRow& row = row_for_status(status);
  // RtlNtStatusToDosError's answer for a status it has no entry for.
  return &row == &kUnknown ? 317 /* ERROR_MR_MID_NOT_FOUND */ : row.win32;
}

int wsa_from_status(NTSTATUS status) { return row_for_status(status).wsa; }

int wsa_from_errno(int errno_value) { return row_for_errno(errno_value).wsa; }

int errno_from_wsa(int wsa_error) {
  using Rows = std::span<const ErrorRow>;
  for (const Rows table : {Rows(kErrorTable), Rows(kHostOnlyTable)}) {
    for (const ErrorRow& row : table) {
      if (row.wsa == wsa_error && row.errno_value != 0) return row.errno_value;
    }
  }
  return kUnmappedHostError;
}

}  // namespace iocpsim::iocp::detail
