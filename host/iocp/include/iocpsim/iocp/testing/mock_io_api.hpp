// MockIoApi: a GoogleMock IoApi for unit tests that need exact call expectations.
//
// Link iocpsim::iocp_mock. Every IoApi method is mocked with its Win32 signature.
#pragma once

#include <gmock/gmock.h>

#include "iocpsim/iocp/io_api.hpp"

namespace iocpsim::iocp::testing {

class MockIoApi : public IoApi {
 public:
  MOCK_METHOD(HANDLE, CreateIoCompletionPort, (HANDLE, HANDLE, ULONG_PTR, DWORD), (override));
  MOCK_METHOD(BOOL, GetQueuedCompletionStatus, (HANDLE, LPDWORD, PULONG_PTR, LPOVERLAPPED*, DWORD), (override));
  MOCK_METHOD(BOOL, GetQueuedCompletionStatusEx, (HANDLE, LPOVERLAPPED_ENTRY, ULONG, PULONG, DWORD, BOOL), (override));
  MOCK_METHOD(BOOL, PostQueuedCompletionStatus, (HANDLE, DWORD, ULONG_PTR, LPOVERLAPPED), (override));
  MOCK_METHOD(BOOL, CloseHandle, (HANDLE), (override));
  MOCK_METHOD(BOOL, SetFileCompletionNotificationModes, (HANDLE, UCHAR), (override));
  MOCK_METHOD(BOOL, CancelIoEx, (HANDLE, LPOVERLAPPED), (override));

  MOCK_METHOD(DWORD, GetLastError, (), (override));
  MOCK_METHOD(void, SetLastError, (DWORD), (override));
  MOCK_METHOD(int, WSAGetLastError, (), (override));
  MOCK_METHOD(void, WSASetLastError, (int), (override));

  MOCK_METHOD(SOCKET, socket, (int, int, int), (override));
  MOCK_METHOD(int, bind, (SOCKET, const sockaddr*, int), (override));
  MOCK_METHOD(int, listen, (SOCKET, int), (override));
  MOCK_METHOD(int, closesocket, (SOCKET), (override));
  MOCK_METHOD(int, shutdown, (SOCKET, int), (override));
  MOCK_METHOD(int, setsockopt, (SOCKET, int, int, const char*, int), (override));
  MOCK_METHOD(int, getsockopt, (SOCKET, int, int, char*, int*), (override));
  MOCK_METHOD(int, getsockname, (SOCKET, sockaddr*, int*), (override));
  MOCK_METHOD(int, getpeername, (SOCKET, sockaddr*, int*), (override));

  MOCK_METHOD(SOCKET, accept, (SOCKET, sockaddr*, int*), (override));
  MOCK_METHOD(int, connect, (SOCKET, const sockaddr*, int), (override));
  MOCK_METHOD(int, send, (SOCKET, const char*, int, int), (override));
  MOCK_METHOD(int, recv, (SOCKET, char*, int, int), (override));

  MOCK_METHOD(BOOL, AcceptEx, (SOCKET, SOCKET, PVOID, DWORD, DWORD, DWORD, LPDWORD, LPOVERLAPPED), (override));
  MOCK_METHOD(BOOL, ConnectEx, (SOCKET, const sockaddr*, int, PVOID, DWORD, LPDWORD, LPOVERLAPPED), (override));
  MOCK_METHOD(int, WSARecv,
              (SOCKET, LPWSABUF, DWORD, LPDWORD, LPDWORD, LPWSAOVERLAPPED, LPWSAOVERLAPPED_COMPLETION_ROUTINE),
              (override));
  MOCK_METHOD(int, WSASend,
              (SOCKET, LPWSABUF, DWORD, LPDWORD, DWORD, LPWSAOVERLAPPED, LPWSAOVERLAPPED_COMPLETION_ROUTINE),
              (override));
  MOCK_METHOD(BOOL, WSAGetOverlappedResult, (SOCKET, LPWSAOVERLAPPED, LPDWORD, BOOL, LPDWORD), (override));
};

}  // namespace iocpsim::iocp::testing
