// Win32 names for the completion-port seam.
//
// On Windows this is just the system headers. Elsewhere it supplies the Win32 types and constants
// the engine and the emulated backend use, with their real numeric values, in the global namespace
// so that engine code reads the same on both platforms.
//
// Names the host's socket headers already define (SOL_SOCKET, SO_LINGER, SO_REUSEADDR, AF_INET,
// IPPROTO_TCP, TCP_NODELAY, struct linger, sockaddr ...) keep the host's meaning: the emulated
// setsockopt/getsockopt pass them to the host stack unchanged. Their Windows values are available
// as iocpsim::win32_values::* for code that needs to compare against Windows numbers.
#pragma once

#if defined(_WIN32)

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
// STATUS_* come from <ntstatus.h>; winnt.h defines a few of them too unless told not to.
#define WIN32_NO_STATUS
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>

#ifndef _NTDEF_
using NTSTATUS = LONG;
#endif

#else  // not Windows

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>

// ---- basic types (LLP64 sizes: DWORD and ULONG are 32-bit, pointers and *_PTR are 64-bit) ----
using BOOL = int;
using BYTE = std::uint8_t;
using UCHAR = unsigned char;
using CHAR = char;
using WORD = std::uint16_t;
using DWORD = std::uint32_t;
using LONG = std::int32_t;
using ULONG = std::uint32_t;
using INT = int;
using UINT = unsigned int;
using LONG_PTR = std::intptr_t;
using ULONG_PTR = std::uintptr_t;
using UINT_PTR = std::uintptr_t;
using DWORD_PTR = std::uintptr_t;
using PVOID = void*;
using LPVOID = void*;
using HANDLE = void*;
using SOCKET = UINT_PTR;
using GROUP = unsigned int;
using NTSTATUS = LONG;
using LPDWORD = DWORD*;
using PULONG = ULONG*;
using PULONG_PTR = ULONG_PTR*;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#define WINAPI
#define CALLBACK

struct OVERLAPPED {
  ULONG_PTR Internal;      // NTSTATUS of the operation (STATUS_PENDING while it runs)
  ULONG_PTR InternalHigh;  // bytes transferred
  DWORD Offset;
  DWORD OffsetHigh;
  HANDLE hEvent;
};
using LPOVERLAPPED = OVERLAPPED*;
using WSAOVERLAPPED = OVERLAPPED;
using LPWSAOVERLAPPED = OVERLAPPED*;

struct OVERLAPPED_ENTRY {
  ULONG_PTR lpCompletionKey;
  LPOVERLAPPED lpOverlapped;
  ULONG_PTR Internal;  // NTSTATUS of the operation
  DWORD dwNumberOfBytesTransferred;
};
using LPOVERLAPPED_ENTRY = OVERLAPPED_ENTRY*;

struct WSABUF {
  ULONG len;
  CHAR* buf;
};
using LPWSABUF = WSABUF*;

using LPWSAOVERLAPPED_COMPLETION_ROUTINE = void (*)(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED lpOverlapped,
                                                    DWORD dwFlags);

// ---- handles and sockets ----
inline const HANDLE INVALID_HANDLE_VALUE = reinterpret_cast<HANDLE>(static_cast<LONG_PTR>(-1));
constexpr SOCKET INVALID_SOCKET = ~SOCKET{0};
constexpr int SOCKET_ERROR = -1;
constexpr DWORD INFINITE = 0xFFFFFFFFu;

// ---- wait results ----
constexpr DWORD WAIT_OBJECT_0 = 0;
constexpr DWORD WAIT_IO_COMPLETION = 192;
constexpr DWORD WAIT_TIMEOUT = 258;

// ---- Win32 error codes (GetLastError) ----
constexpr DWORD ERROR_SUCCESS = 0;
constexpr DWORD ERROR_TOO_MANY_OPEN_FILES = 4;
constexpr DWORD ERROR_ACCESS_DENIED = 5;
constexpr DWORD ERROR_INVALID_HANDLE = 6;
constexpr DWORD ERROR_NOT_ENOUGH_MEMORY = 8;
constexpr DWORD ERROR_NOT_SUPPORTED = 50;
constexpr DWORD ERROR_DUP_NAME = 52;
constexpr DWORD ERROR_NETNAME_DELETED = 64;
constexpr DWORD ERROR_INVALID_PARAMETER = 87;
constexpr DWORD ERROR_SEM_TIMEOUT = 121;
constexpr DWORD ERROR_PIPE_NOT_CONNECTED = 233;
constexpr DWORD ERROR_MORE_DATA = 234;
constexpr DWORD ERROR_HANDLES_CLOSED = 676;
constexpr DWORD ERROR_ABANDONED_WAIT_0 = 735;
constexpr DWORD ERROR_OPERATION_ABORTED = 995;
constexpr DWORD ERROR_IO_INCOMPLETE = 996;
constexpr DWORD ERROR_IO_PENDING = 997;
constexpr DWORD ERROR_NOACCESS = 998;
constexpr DWORD ERROR_NOT_FOUND = 1168;
constexpr DWORD ERROR_INVALID_NETNAME = 1214;
constexpr DWORD ERROR_CONNECTION_REFUSED = 1225;
constexpr DWORD ERROR_GRACEFUL_DISCONNECT = 1226;
constexpr DWORD ERROR_CONNECTION_INVALID = 1229;
constexpr DWORD ERROR_CONNECTION_ACTIVE = 1230;
constexpr DWORD ERROR_NETWORK_UNREACHABLE = 1231;
constexpr DWORD ERROR_HOST_UNREACHABLE = 1232;
constexpr DWORD ERROR_PROTOCOL_UNREACHABLE = 1233;
constexpr DWORD ERROR_PORT_UNREACHABLE = 1234;
constexpr DWORD ERROR_CONNECTION_ABORTED = 1236;

// ---- Winsock error codes (WSAGetLastError) ----
constexpr int WSA_INVALID_HANDLE = 6;
constexpr int WSA_NOT_ENOUGH_MEMORY = 8;
constexpr int WSA_INVALID_PARAMETER = 87;
constexpr int WSA_OPERATION_ABORTED = 995;
constexpr int WSA_IO_INCOMPLETE = 996;
constexpr int WSA_IO_PENDING = 997;
constexpr int WSAEINTR = 10004;
constexpr int WSAEBADF = 10009;
constexpr int WSAEACCES = 10013;
constexpr int WSAEFAULT = 10014;
constexpr int WSAEINVAL = 10022;
constexpr int WSAEMFILE = 10024;
constexpr int WSAEWOULDBLOCK = 10035;
constexpr int WSAEINPROGRESS = 10036;
constexpr int WSAEALREADY = 10037;
constexpr int WSAENOTSOCK = 10038;
constexpr int WSAEDESTADDRREQ = 10039;
constexpr int WSAEMSGSIZE = 10040;
constexpr int WSAEPROTOTYPE = 10041;
constexpr int WSAENOPROTOOPT = 10042;
constexpr int WSAEPROTONOSUPPORT = 10043;
constexpr int WSAESOCKTNOSUPPORT = 10044;
constexpr int WSAEOPNOTSUPP = 10045;
constexpr int WSAEPFNOSUPPORT = 10046;
constexpr int WSAEAFNOSUPPORT = 10047;
constexpr int WSAEADDRINUSE = 10048;
constexpr int WSAEADDRNOTAVAIL = 10049;
constexpr int WSAENETDOWN = 10050;
constexpr int WSAENETUNREACH = 10051;
constexpr int WSAENETRESET = 10052;
constexpr int WSAECONNABORTED = 10053;
constexpr int WSAECONNRESET = 10054;
constexpr int WSAENOBUFS = 10055;
constexpr int WSAEISCONN = 10056;
constexpr int WSAENOTCONN = 10057;
constexpr int WSAESHUTDOWN = 10058;
constexpr int WSAETIMEDOUT = 10060;
constexpr int WSAECONNREFUSED = 10061;
constexpr int WSAEHOSTUNREACH = 10065;
constexpr int WSANOTINITIALISED = 10093;

// ---- NTSTATUS values (OVERLAPPED.Internal, OVERLAPPED_ENTRY.Internal) ----
// Compare with static_cast<NTSTATUS>(entry.Internal): Internal is pointer-sized.
constexpr NTSTATUS STATUS_SUCCESS = 0;
constexpr NTSTATUS STATUS_ABANDONED = 0x80;
constexpr NTSTATUS STATUS_USER_APC = 0xC0;
constexpr NTSTATUS STATUS_TIMEOUT = 0x102;
constexpr NTSTATUS STATUS_PENDING = 0x103;
constexpr NTSTATUS STATUS_BUFFER_OVERFLOW = static_cast<NTSTATUS>(0x80000005u);
constexpr NTSTATUS STATUS_HANDLES_CLOSED = static_cast<NTSTATUS>(0x8000000Au);
constexpr NTSTATUS STATUS_ACCESS_VIOLATION = static_cast<NTSTATUS>(0xC0000005u);
constexpr NTSTATUS STATUS_INVALID_HANDLE = static_cast<NTSTATUS>(0xC0000008u);
constexpr NTSTATUS STATUS_INVALID_PARAMETER = static_cast<NTSTATUS>(0xC000000Du);
constexpr NTSTATUS STATUS_NO_MEMORY = static_cast<NTSTATUS>(0xC0000017u);
constexpr NTSTATUS STATUS_ACCESS_DENIED = static_cast<NTSTATUS>(0xC0000022u);
constexpr NTSTATUS STATUS_PIPE_DISCONNECTED = static_cast<NTSTATUS>(0xC00000B0u);
constexpr NTSTATUS STATUS_IO_TIMEOUT = static_cast<NTSTATUS>(0xC00000B5u);
constexpr NTSTATUS STATUS_NOT_SUPPORTED = static_cast<NTSTATUS>(0xC00000BBu);
constexpr NTSTATUS STATUS_TOO_MANY_OPENED_FILES = static_cast<NTSTATUS>(0xC000011Fu);
constexpr NTSTATUS STATUS_CANCELLED = static_cast<NTSTATUS>(0xC0000120u);
constexpr NTSTATUS STATUS_LOCAL_DISCONNECT = static_cast<NTSTATUS>(0xC000013Bu);
constexpr NTSTATUS STATUS_REMOTE_DISCONNECT = static_cast<NTSTATUS>(0xC000013Cu);
constexpr NTSTATUS STATUS_INVALID_CONNECTION = static_cast<NTSTATUS>(0xC0000140u);
constexpr NTSTATUS STATUS_INVALID_ADDRESS_COMPONENT = static_cast<NTSTATUS>(0xC0000207u);
constexpr NTSTATUS STATUS_ADDRESS_ALREADY_EXISTS = static_cast<NTSTATUS>(0xC000020Au);
constexpr NTSTATUS STATUS_CONNECTION_RESET = static_cast<NTSTATUS>(0xC000020Du);
constexpr NTSTATUS STATUS_CONNECTION_REFUSED = static_cast<NTSTATUS>(0xC0000236u);
constexpr NTSTATUS STATUS_GRACEFUL_DISCONNECT = static_cast<NTSTATUS>(0xC0000237u);
constexpr NTSTATUS STATUS_CONNECTION_ACTIVE = static_cast<NTSTATUS>(0xC000023Bu);
constexpr NTSTATUS STATUS_NETWORK_UNREACHABLE = static_cast<NTSTATUS>(0xC000023Cu);
constexpr NTSTATUS STATUS_HOST_UNREACHABLE = static_cast<NTSTATUS>(0xC000023Du);
constexpr NTSTATUS STATUS_PROTOCOL_UNREACHABLE = static_cast<NTSTATUS>(0xC000023Eu);
constexpr NTSTATUS STATUS_PORT_UNREACHABLE = static_cast<NTSTATUS>(0xC000023Fu);
constexpr NTSTATUS STATUS_CONNECTION_ABORTED = static_cast<NTSTATUS>(0xC0000241u);

// ---- shutdown() directions (same numbers as SHUT_RD/SHUT_WR/SHUT_RDWR) ----
constexpr int SD_RECEIVE = 0;
constexpr int SD_SEND = 1;
constexpr int SD_BOTH = 2;

// ---- Win32-only socket options (no host equivalent; level SOL_SOCKET) ----
constexpr int SO_UPDATE_ACCEPT_CONTEXT = 0x700B;
constexpr int SO_UPDATE_CONNECT_CONTEXT = 0x7010;

// ---- SetFileCompletionNotificationModes flags ----
constexpr UCHAR FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = 0x1;
constexpr UCHAR FILE_SKIP_SET_EVENT_ON_HANDLE = 0x2;

// ---- socket() / WSASocketW() flags ----
constexpr DWORD WSA_FLAG_OVERLAPPED = 0x01;

#endif  // _WIN32

namespace iocpsim::win32_values {
// Windows' numbers for names the host's socket headers define differently. Use these only to
// compare against values recorded on Windows; calls through IoApi take the host's names.
inline constexpr int kSolSocket = 0xFFFF;
inline constexpr int kSoReuseAddr = 0x0004;
inline constexpr int kSoKeepAlive = 0x0008;
inline constexpr int kSoLinger = 0x0080;
inline constexpr int kSoSndBuf = 0x1001;
inline constexpr int kSoRcvBuf = 0x1002;
inline constexpr int kSoError = 0x1007;
}  // namespace iocpsim::win32_values

namespace iocpsim::iocp {

// The NTSTATUS held in a pointer-sized Internal field (OVERLAPPED or OVERLAPPED_ENTRY).
constexpr NTSTATUS ntstatus_of(ULONG_PTR internal) { return static_cast<NTSTATUS>(static_cast<DWORD>(internal)); }

}  // namespace iocpsim::iocp
