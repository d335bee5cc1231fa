// IoApi over the real Win32 functions: every method forwards its arguments unchanged.
#include "iocpsim/iocp/native_io_api.hpp"

#include <stdexcept>

namespace iocpsim::iocp {
namespace {

template <class Fn>
Fn extension_function(GUID id) {
  const SOCKET probe = ::WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED);
  if (probe == INVALID_SOCKET) throw std::runtime_error("WSASocketW failed");
  Fn fn = nullptr;
  DWORD bytes = 0;
  const int rc =
      ::WSAIoctl(probe, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof id, &fn, sizeof fn, &bytes, nullptr, nullptr);
  ::closesocket(probe);
  if (rc != 0 || fn == nullptr) throw std::runtime_error("extension function not found");
  return fn;
}

class NativeIoApi final : public IoApi {
 public:
  NativeIoApi() {
    WSADATA data{};
    if (::WSAStartup(MAKEWORD(2, 2), &data) != 0) throw std::runtime_error("WSAStartup failed");
    accept_ex_ = extension_function<LPFN_ACCEPTEX>(WSAID_ACCEPTEX);
    connect_ex_ = extension_function<LPFN_CONNECTEX>(WSAID_CONNECTEX);
  }
  ~NativeIoApi() override { ::WSACleanup(); }
  NativeIoApi(const NativeIoApi&) = delete;
  NativeIoApi& operator=(const NativeIoApi&) = delete;

  HANDLE CreateIoCompletionPort(HANDLE f, HANDLE port, ULONG_PTR key, DWORD threads) override {
    return ::CreateIoCompletionPort(f, port, key, threads);
  }
  BOOL GetQueuedCompletionStatus(HANDLE port, LPDWORD bytes, PULONG_PTR key, LPOVERLAPPED* ov, DWORD ms) override {
    return ::GetQueuedCompletionStatus(port, bytes, key, ov, ms);
  }
  BOOL GetQueuedCompletionStatusEx(HANDLE port, LPOVERLAPPED_ENTRY entries, ULONG count, PULONG removed, DWORD ms,
                                   BOOL alertable) override {
    return ::GetQueuedCompletionStatusEx(port, entries, count, removed, ms, alertable);
  }
  BOOL PostQueuedCompletionStatus(HANDLE port, DWORD bytes, ULONG_PTR key, LPOVERLAPPED ov) override {
    return ::PostQueuedCompletionStatus(port, bytes, key, ov);
  }
  BOOL CloseHandle(HANDLE h) override { return ::CloseHandle(h); }
  BOOL SetFileCompletionNotificationModes(HANDLE f, UCHAR flags) override {
    return ::SetFileCompletionNotificationModes(f, flags);
  }
  BOOL CancelIoEx(HANDLE f, LPOVERLAPPED ov) override { return ::CancelIoEx(f, ov); }

  DWORD GetLastError() override { return ::GetLastError(); }
  void SetLastError(DWORD code) override { ::SetLastError(code); }
  int WSAGetLastError() override { return ::WSAGetLastError(); }
  void WSASetLastError(int code) override { ::WSASetLastError(code); }

  SOCKET socket(int af, int type, int protocol) override { return ::socket(af, type, protocol); }
  int bind(SOCKET s, const sockaddr* name, int len) override { return ::bind(s, name, len); }
  int listen(SOCKET s, int backlog) override { return ::listen(s, backlog); }
  int closesocket(SOCKET s) override { return ::closesocket(s); }
  int shutdown(SOCKET s, int how) override { return ::shutdown(s, how); }
  int setsockopt(SOCKET s, int level, int name, const char* val, int len) override {
    return ::setsockopt(s, level, name, val, len);
  }
  int getsockopt(SOCKET s, int level, int name, char* val, int* len) override {
    return ::getsockopt(s, level, name, val, len);
  }
  int getsockname(SOCKET s, sockaddr* name, int* len) override { return ::getsockname(s, name, len); }
  int getpeername(SOCKET s, sockaddr* name, int* len) override { return ::getpeername(s, name, len); }

  SOCKET accept(SOCKET s, sockaddr* addr, int* len) override { return ::accept(s, addr, len); }
  int connect(SOCKET s, const sockaddr* name, int len) override { return ::connect(s, name, len); }
  int send(SOCKET s, const char* buf, int len, int flags) override { return ::send(s, buf, len, flags); }
  int recv(SOCKET s, char* buf, int len, int flags) override { return ::recv(s, buf, len, flags); }

  BOOL AcceptEx(SOCKET listener, SOCKET target, PVOID out, DWORD receive_len, DWORD local_len, DWORD remote_len,
                LPDWORD bytes, LPOVERLAPPED ov) override {
    return accept_ex_(listener, target, out, receive_len, local_len, remote_len, bytes, ov);
  }
  BOOL ConnectEx(SOCKET s, const sockaddr* name, int len, PVOID buf, DWORD buf_len, LPDWORD sent,
                 LPOVERLAPPED ov) override {
    return connect_ex_(s, name, len, buf, buf_len, sent, ov);
  }
  int WSARecv(SOCKET s, LPWSABUF bufs, DWORD count, LPDWORD bytes, LPDWORD flags, LPWSAOVERLAPPED ov,
              LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) override {
    return ::WSARecv(s, bufs, count, bytes, flags, ov, routine);
  }
  int WSASend(SOCKET s, LPWSABUF bufs, DWORD count, LPDWORD bytes, DWORD flags, LPWSAOVERLAPPED ov,
              LPWSAOVERLAPPED_COMPLETION_ROUTINE routine) override {
    return ::WSASend(s, bufs, count, bytes, flags, ov, routine);
  }
  BOOL WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED ov, LPDWORD bytes, BOOL wait, LPDWORD flags) override {
    return ::WSAGetOverlappedResult(s, ov, bytes, wait, flags);
  }

 private:
  LPFN_ACCEPTEX accept_ex_ = nullptr;
  LPFN_CONNECTEX connect_ex_ = nullptr;
};

}  // namespace

std::unique_ptr<IoApi> make_native_io_api() { return std::make_unique<NativeIoApi>(); }

}  // namespace iocpsim::iocp
