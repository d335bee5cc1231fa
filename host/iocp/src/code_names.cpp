// One row per constant of win32.hpp (a code shared by two names keeps the first: 995 is
// ERROR_OPERATION_ABORTED, not WSA_OPERATION_ABORTED). A constant added there belongs here too.
#include "iocpsim/iocp/code_names.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace iocpsim::iocp {
namespace {

struct Named {
  std::uint32_t code;
  const char* name;
};

// Sorted by code.
constexpr Named kErrors[] = {
    {0, "ERROR_SUCCESS"},
    {4, "ERROR_TOO_MANY_OPEN_FILES"},
    {5, "ERROR_ACCESS_DENIED"},
    {6, "ERROR_INVALID_HANDLE"},
    {8, "ERROR_NOT_ENOUGH_MEMORY"},
    {50, "ERROR_NOT_SUPPORTED"},
    {52, "ERROR_DUP_NAME"},
    {64, "ERROR_NETNAME_DELETED"},
    {87, "ERROR_INVALID_PARAMETER"},
    {121, "ERROR_SEM_TIMEOUT"},
    {192, "WAIT_IO_COMPLETION"},
    {233, "ERROR_PIPE_NOT_CONNECTED"},
    {234, "ERROR_MORE_DATA"},
    {258, "WAIT_TIMEOUT"},
    {676, "ERROR_HANDLES_CLOSED"},
    {735, "ERROR_ABANDONED_WAIT_0"},
    {995, "ERROR_OPERATION_ABORTED"},
    {996, "ERROR_IO_INCOMPLETE"},
    {997, "ERROR_IO_PENDING"},
    {998, "ERROR_NOACCESS"},
    {1168, "ERROR_NOT_FOUND"},
    {1214, "ERROR_INVALID_NETNAME"},
    {1225, "ERROR_CONNECTION_REFUSED"},
    {1226, "ERROR_GRACEFUL_DISCONNECT"},
    {1229, "ERROR_CONNECTION_INVALID"},
    {1230, "ERROR_CONNECTION_ACTIVE"},
    {1231, "ERROR_NETWORK_UNREACHABLE"},
    {1232, "ERROR_HOST_UNREACHABLE"},
    {1233, "ERROR_PROTOCOL_UNREACHABLE"},
    {1234, "ERROR_PORT_UNREACHABLE"},
    {1236, "ERROR_CONNECTION_ABORTED"},
    {10004, "WSAEINTR"},
    {10009, "WSAEBADF"},
    {10013, "WSAEACCES"},
    {10014, "WSAEFAULT"},
    {10022, "WSAEINVAL"},
    {10024, "WSAEMFILE"},
    {10035, "WSAEWOULDBLOCK"},
    {10036, "WSAEINPROGRESS"},
    {10037, "WSAEALREADY"},
    {10038, "WSAENOTSOCK"},
    {10039, "WSAEDESTADDRREQ"},
    {10040, "WSAEMSGSIZE"},
    {10041, "WSAEPROTOTYPE"},
    {10042, "WSAENOPROTOOPT"},
    {10043, "WSAEPROTONOSUPPORT"},
    {10044, "WSAESOCKTNOSUPPORT"},
    {10045, "WSAEOPNOTSUPP"},
    {10046, "WSAEPFNOSUPPORT"},
    {10047, "WSAEAFNOSUPPORT"},
    {10048, "WSAEADDRINUSE"},
    {10049, "WSAEADDRNOTAVAIL"},
    {10050, "WSAENETDOWN"},
    {10051, "WSAENETUNREACH"},
    {10052, "WSAENETRESET"},
    {10053, "WSAECONNABORTED"},
    {10054, "WSAECONNRESET"},
    {10055, "WSAENOBUFS"},
    {10056, "WSAEISCONN"},
    {10057, "WSAENOTCONN"},
    {10058, "WSAESHUTDOWN"},
    {10060, "WSAETIMEDOUT"},
    {10061, "WSAECONNREFUSED"},
    {10065, "WSAEHOSTUNREACH"},
};

constexpr Named kStatuses[] = {
    {0x00000000u, "STATUS_SUCCESS"},
    {0x00000080u, "STATUS_ABANDONED"},
    {0x000000C0u, "STATUS_USER_APC"},
    {0x00000102u, "STATUS_TIMEOUT"},
    {0x00000103u, "STATUS_PENDING"},
    {0x80000005u, "STATUS_BUFFER_OVERFLOW"},
    {0x8000000Au, "STATUS_HANDLES_CLOSED"},
    {0xC0000005u, "STATUS_ACCESS_VIOLATION"},
    {0xC0000008u, "STATUS_INVALID_HANDLE"},
    {0xC000000Du, "STATUS_INVALID_PARAMETER"},
    {0xC0000017u, "STATUS_NO_MEMORY"},
    {0xC0000022u, "STATUS_ACCESS_DENIED"},
    {0xC00000B0u, "STATUS_PIPE_DISCONNECTED"},
    {0xC00000B5u, "STATUS_IO_TIMEOUT"},
    {0xC00000BBu, "STATUS_NOT_SUPPORTED"},
    {0xC000011Fu, "STATUS_TOO_MANY_OPENED_FILES"},
    {0xC0000120u, "STATUS_CANCELLED"},
    {0xC000013Bu, "STATUS_LOCAL_DISCONNECT"},
    {0xC000013Cu, "STATUS_REMOTE_DISCONNECT"},
    {0xC0000140u, "STATUS_INVALID_CONNECTION"},
    {0xC0000207u, "STATUS_INVALID_ADDRESS_COMPONENT"},
    {0xC000020Au, "STATUS_ADDRESS_ALREADY_EXISTS"},
    {0xC000020Du, "STATUS_CONNECTION_RESET"},
    {0xC0000236u, "STATUS_CONNECTION_REFUSED"},
    {0xC0000237u, "STATUS_GRACEFUL_DISCONNECT"},
    {0xC000023Bu, "STATUS_CONNECTION_ACTIVE"},
    {0xC000023Cu, "STATUS_NETWORK_UNREACHABLE"},
    {0xC000023Du, "STATUS_HOST_UNREACHABLE"},
    {0xC000023Eu, "STATUS_PROTOCOL_UNREACHABLE"},
    {0xC000023Fu, "STATUS_PORT_UNREACHABLE"},
    {0xC0000241u, "STATUS_CONNECTION_ABORTED"},
};

template <std::size_t N>
const char* find(const Named (&table)[N], std::uint32_t code) noexcept {
  const auto it = std::lower_bound(std::begin(table), std::end(table), code,
                                   [](const Named& n, std::uint32_t c) { return n.code < c; });
  return it != std::end(table) && it->code == code ? it->name : nullptr;
}

}  // namespace

const char* win32_error_name(std::uint32_t code) noexcept { return find(kErrors, code); }
const char* ntstatus_name(std::uint32_t status) noexcept { return find(kStatuses, status); }

std::string describe_win32_error(std::uint32_t code) {
  std::string out = std::to_string(code);
  if (const char* name = win32_error_name(code)) out += std::string(" ") + name;
  return out;
}

std::string describe_ntstatus(std::uint32_t status) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08X", static_cast<unsigned>(status));
  std::string out = hex;
  if (const char* name = ntstatus_name(status)) out += std::string(" ") + name;
  return out;
}

}  // namespace iocpsim::iocp
