// The fixture of the IOCP conformance suite: a port per test, loopback connection helpers, and
// the end-of-test checks (no stray packet, nothing outstanding).
//
// Tests reach sockets only through IoApi, so the same test runs on every backend.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "iocp_test_backend.hpp"
#include "iocpsim/iocp/io_api.hpp"

namespace iocpsim::iocp::testing {

// A ceiling for waits that should end at once; never the thing a test waits for.
constexpr DWORD kGenerousMs = 10000;
// Set before each call under test, so "left unchanged" can be told from "set to 0".
constexpr DWORD kDeadbeef = 0xdeadbeef;
constexpr ULONG_PTR kEngineKey = 0x5eed;

// Skips a test only under Wine, printing the measured divergence.
#define IOCPSIM_SKIP_UNDER_WINE(reason) \
  if (TypeParam::under_wine()) GTEST_SKIP() << "Wine 8.0 divergence: " << (reason)

// Skips a test of the emulation (over Wine's Winsock) only under Wine, printing the reason.
#define IOCPSIM_SKIP_EMULATION_UNDER_WINE(reason) \
  if (TypeParam::emulated_under_wine())           \
  GTEST_SKIP() << "Wine 8.0 divergence, seen through the emulation's Winsock calls: " << (reason)

// What one GetQueuedCompletionStatus call reported. The out-values start as markers so a test
// sees which ones the call wrote.
struct Dequeued {
  BOOL ok = 99;
  DWORD bytes = 0xFEEDu;
  ULONG_PTR key = 0xFEED;
  OVERLAPPED* ov = reinterpret_cast<OVERLAPPED*>(std::uintptr_t{0x10});
  DWORD error = 0;
};

// A loopback connection: the engine side is bound to the test's port, the peer side is a plain
// blocking socket.
struct Pair {
  SOCKET engine = INVALID_SOCKET;
  SOCKET peer = INVALID_SOCKET;
};

template <class Backend>
class IocpConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    io_ = Backend::make();
    port_ = io().CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
    ASSERT_NE(port_, nullptr);
  }

  void TearDown() override {
    if (port_open_) {
      // Exactly one packet per operation: nothing may be left once a test took what it expected.
      const Dequeued left = dequeue(0);
      EXPECT_EQ(left.ok, FALSE) << "a packet no test expected, key " << left.key;
      EXPECT_EQ(left.error, WAIT_TIMEOUT);
      EXPECT_TRUE(io().CloseHandle(port_));
    }
    Backend::expect_nothing_outstanding(io());
  }

  IoApi& io() { return *io_; }
  HANDLE port() const { return port_; }

  void close_port() {
    EXPECT_TRUE(io().CloseHandle(port_));
    port_open_ = false;
  }

  Dequeued dequeue(DWORD timeout_ms = kGenerousMs) { return dequeue_from(port_, timeout_ms); }

  Dequeued dequeue_from(HANDLE port, DWORD timeout_ms) {
    Dequeued d;
    io().SetLastError(kDeadbeef);
    d.ok = io().GetQueuedCompletionStatus(port, &d.bytes, &d.key, &d.ov, timeout_ms);
    d.error = io().GetLastError();
    return d;
  }

  static sockaddr_in loopback(std::uint16_t port_number) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port_number);
    return a;
  }

  SOCKET bound_socket() {
    const SOCKET s = io().socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    EXPECT_NE(s, INVALID_SOCKET);
    const sockaddr_in any = loopback(0);
    EXPECT_EQ(io().bind(s, reinterpret_cast<const sockaddr*>(&any), sizeof any), 0);
    return s;
  }

  std::uint16_t local_port(SOCKET s) {
    sockaddr_in a{};
    int len = sizeof a;
    EXPECT_EQ(io().getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
    return ntohs(a.sin_port);
  }

  SOCKET listener(int receive_buffer_bytes = 0) {
    const SOCKET s = bound_socket();
    if (receive_buffer_bytes > 0) set_int_option(s, SO_RCVBUF, receive_buffer_bytes);
    EXPECT_EQ(io().listen(s, 16), 0);
    return s;
  }

  void set_int_option(SOCKET s, int optname, int value) {
    EXPECT_EQ(io().setsockopt(s, SOL_SOCKET, optname, reinterpret_cast<const char*>(&value), sizeof value), 0);
  }

  void associate(SOCKET s, ULONG_PTR key = kEngineKey) {
    EXPECT_EQ(io().CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), port_, key, 0), port_);
  }

  // listen + ConnectEx + accept on 127.0.0.1, port 0. Small buffers make sends pend on demand.
  Pair connected_pair(int buffer_bytes = 0, ULONG_PTR key = kEngineKey) {
    Pair p;
    const SOCKET lst = listener(buffer_bytes);
    const sockaddr_in to = loopback(local_port(lst));
    p.engine = bound_socket();
    if (buffer_bytes > 0) set_int_option(p.engine, SO_SNDBUF, buffer_bytes);
    associate(p.engine, key);
    OVERLAPPED ov{};
    DWORD sent = 0;
    if (!io().ConnectEx(p.engine, reinterpret_cast<const sockaddr*>(&to), sizeof to, nullptr, 0, &sent, &ov)) {
      EXPECT_EQ(io().WSAGetLastError(), WSA_IO_PENDING);
    }
    p.peer = io().accept(lst, nullptr, nullptr);
    EXPECT_NE(p.peer, INVALID_SOCKET);
    const Dequeued d = dequeue();
    EXPECT_EQ(d.ok, TRUE);
    EXPECT_EQ(d.ov, &ov);
    EXPECT_EQ(io().setsockopt(p.engine, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0), 0);
    close(lst);
    return p;
  }

  void close(SOCKET s) { EXPECT_EQ(io().closesocket(s), 0); }

  void close_pair(const Pair& p) {
    close(p.engine);
    close(p.peer);
  }

  // Closes with SO_LINGER 0: RST instead of FIN.
  void reset(SOCKET s) {
    linger l{};
    l.l_onoff = 1;
    l.l_linger = 0;
    EXPECT_EQ(io().setsockopt(s, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l), sizeof l), 0);
    close(s);
  }

  void peer_send(SOCKET peer, std::string_view data) {
    EXPECT_EQ(io().send(peer, data.data(), static_cast<int>(data.size()), 0), static_cast<int>(data.size()));
  }

  // Issues WSARecv with last error preset; returns its result.
  int start_recv(SOCKET s, OVERLAPPED* ov, char* buf, ULONG len) {
    WSABUF b{len, buf};
    DWORD flags = 0;
    DWORD bytes = 0;
    io().WSASetLastError(static_cast<int>(kDeadbeef));
    return io().WSARecv(s, &b, 1, &bytes, &flags, ov, nullptr);
  }

  int start_send(SOCKET s, OVERLAPPED* ov, const char* buf, ULONG len) {
    WSABUF b{len, const_cast<char*>(buf)};
    DWORD bytes = 0;
    io().WSASetLastError(static_cast<int>(kDeadbeef));
    return io().WSASend(s, &b, 1, &bytes, 0, ov, nullptr);
  }

  void expect_pending(int rc) {
    EXPECT_EQ(rc, SOCKET_ERROR);
    EXPECT_EQ(io().WSAGetLastError(), WSA_IO_PENDING);
  }

  // A receive left pending on `s`, then ended by `end()` (which must return TRUE) with the last
  // error preset: what the receive's packet shows. `end()` may check the last error it left.
  template <class EndFn>
  Dequeued end_pending_recv(SOCKET s, OVERLAPPED* ov, EndFn end) {
    char buf[16];
    expect_pending(start_recv(s, ov, buf, sizeof buf));
    io().SetLastError(kDeadbeef);
    EXPECT_EQ(end(), TRUE);
    return dequeue();
  }

  // Waits until the engine side has data to read, consuming none (a zero-byte receive, R13).
  void wait_readable(SOCKET engine) {
    OVERLAPPED ov{};
    char none = 0;
    start_recv(engine, &ov, &none, 0);
    const Dequeued d = dequeue();
    EXPECT_EQ(d.ok, TRUE);
    EXPECT_EQ(d.ov, &ov);
  }

  // Reads exactly n bytes on the peer with blocking recv.
  std::string peer_receive(SOCKET peer, std::size_t n) {
    std::string out;
    std::string chunk(64 * 1024, '\0');
    while (out.size() < n) {
      const int got = io().recv(peer, chunk.data(), static_cast<int>(chunk.size()), 0);
      if (got <= 0) break;
      out.append(chunk.data(), static_cast<std::size_t>(got));
    }
    return out;
  }

 private:
  std::unique_ptr<IoApi> io_;
  HANDLE port_ = nullptr;
  bool port_open_ = true;
};

TYPED_TEST_SUITE(IocpConformance, IocpTestBackends);

}  // namespace iocpsim::iocp::testing
