// ForwardingIoApi: an IoApi that passes every call to another one unchanged. A decorator derives
// from it and overrides only the calls it watches (completion_ledger.hpp); on its own it is the
// floor under any decorator, one more virtual call per call (tools/bench/shim_bench.cpp).
#pragma once

#include "iocpsim/iocp/io_api.hpp"

namespace iocpsim::iocp {

class ForwardingIoApi : public IoApi {
 public:
  explicit ForwardingIoApi(IoApi& inner) : inner_(inner) {}

  HANDLE CreateIoCompletionPort(HANDLE f, HANDLE p, ULONG_PTR k, DWORD n) override {
    return inner_.CreateIoCompletionPort(f, p, k, n);
  }
  BOOL GetQueuedCompletionStatus(HANDLE p, LPDWORD b, PULONG_PTR k, LPOVERLAPPED* o, DWORD ms) override {
    return inner_.GetQueuedCompletionStatus(p, b, k, o, ms);
  }
  BOOL GetQueuedCompletionStatusEx(HANDLE p, LPOVERLAPPED_ENTRY e, ULONG n, PULONG r, DWORD ms, BOOL a) override {
    return inner_.GetQueuedCompletionStatusEx(p, e, n, r, ms, a);
  }
  BOOL PostQueuedCompletionStatus(HANDLE p, DWORD b, ULONG_PTR k, LPOVERLAPPED o) override {
    return inner_.PostQueuedCompletionStatus(p, b, k, o);
  }
  BOOL CloseHandle(HANDLE h) override { return inner_.CloseHandle(h); }
  BOOL SetFileCompletionNotificationModes(HANDLE h, UCHAR f) override {
    return inner_.SetFileCompletionNotificationModes(h, f);
  }
  BOOL CancelIoEx(HANDLE h, LPOVERLAPPED o) override { return inner_.CancelIoEx(h, o); }
  DWORD GetLastError() override { return inner_.GetLastError(); }
  void SetLastError(DWORD e) override { inner_.SetLastError(e); }
  int WSAGetLastError() override { return inner_.WSAGetLastError(); }
  void WSASetLastError(int e) override { inner_.WSASetLastError(e); }
  SOCKET socket(int af, int type, int protocol) override { return inner_.socket(af, type, protocol); }
  int bind(SOCKET s, const sockaddr* a, int n) override { return inner_.bind(s, a, n); }
  int listen(SOCKET s, int backlog) override { return inner_.listen(s, backlog); }
  int closesocket(SOCKET s) override { return inner_.closesocket(s); }
  int shutdown(SOCKET s, int how) override { return inner_.shutdown(s, how); }
  int setsockopt(SOCKET s, int l, int o, const char* v, int n) override { return inner_.setsockopt(s, l, o, v, n); }
  int getsockopt(SOCKET s, int l, int o, char* v, int* n) override { return inner_.getsockopt(s, l, o, v, n); }
  int getsockname(SOCKET s, sockaddr* a, int* n) override { return inner_.getsockname(s, a, n); }
  int getpeername(SOCKET s, sockaddr* a, int* n) override { return inner_.getpeername(s, a, n); }
  SOCKET accept(SOCKET s, sockaddr* a, int* n) override { return inner_.accept(s, a, n); }
  int connect(SOCKET s, const sockaddr* a, int n) override { return inner_.connect(s, a, n); }
  int send(SOCKET s, const char* b, int n, int f) override { return inner_.send(s, b, n, f); }
  int recv(SOCKET s, char* b, int n, int f) override { return inner_.recv(s, b, n, f); }
  BOOL AcceptEx(SOCKET l, SOCKET a, PVOID b, DWORD n, DWORD la, DWORD ra, LPDWORD r, LPOVERLAPPED o) override {
    return inner_.AcceptEx(l, a, b, n, la, ra, r, o);
  }
  BOOL ConnectEx(SOCKET s, const sockaddr* a, int n, PVOID b, DWORD len, LPDWORD sent, LPOVERLAPPED o) override {
    return inner_.ConnectEx(s, a, n, b, len, sent, o);
  }
  int WSARecv(SOCKET s, LPWSABUF b, DWORD n, LPDWORD got, LPDWORD f, LPWSAOVERLAPPED o,
              LPWSAOVERLAPPED_COMPLETION_ROUTINE r) override {
    return inner_.WSARecv(s, b, n, got, f, o, r);
  }
  int WSASend(SOCKET s, LPWSABUF b, DWORD n, LPDWORD sent, DWORD f, LPWSAOVERLAPPED o,
              LPWSAOVERLAPPED_COMPLETION_ROUTINE r) override {
    return inner_.WSASend(s, b, n, sent, f, o, r);
  }
  BOOL WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED o, LPDWORD b, BOOL w, LPDWORD f) override {
    return inner_.WSAGetOverlappedResult(s, o, b, w, f);
  }

 protected:
  IoApi& inner() noexcept { return inner_; }

 private:
  IoApi& inner_;
};

}  // namespace iocpsim::iocp
