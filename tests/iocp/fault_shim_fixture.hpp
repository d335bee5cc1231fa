// The fault shim's test fixture: a real emulated backend, the shim over it, a port, and
// loopback connections whose engine side goes through the shim. Every test ends by proving
// that neither the shim nor the emulation still holds anything.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "iocpsim/iocp/emulated_io_api.hpp"
#include "iocpsim/iocp/fault_injecting_io_api.hpp"

namespace iocpsim::iocp::testing {

constexpr DWORD kCeilingMs = 10000;  // a ceiling for waits that end at once
constexpr DWORD kDeadbeef = 0xdeadbeef;
constexpr std::uint64_t kSeed = 20261125;

struct Dequeued {
  BOOL ok = 99;
  DWORD bytes = 0xFEEDu;
  ULONG_PTR key = 0xFEED;
  OVERLAPPED* ov = reinterpret_cast<OVERLAPPED*>(std::uintptr_t{0x10});
  DWORD error = 0;
};

// What an issuing call returned.
struct Issued {
  int rc = 99;
  DWORD bytes = 0xFEEDu;
  int error = 0;
};

struct Connection {
  SOCKET engine = INVALID_SOCKET;  // through the shim, bound to the port
  SOCKET peer = INVALID_SOCKET;    // straight on the backend, blocking calls
  ULONG_PTR key = 0;
};

class FaultShimTest : public ::testing::Test {
 protected:
  FaultShimTest() : shim_(emu_, FaultOptions{kSeed, &clock_, true, 4096}) {}

  void SetUp() override {
    port_ = shim_.CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
    ASSERT_NE(port_, nullptr);
  }

  void TearDown() override {
    if (port_open_) {
      const Dequeued left = dequeue(0);
      EXPECT_EQ(left.ok, FALSE) << "a packet no test expected, key " << left.key;
      EXPECT_EQ(left.error, WAIT_TIMEOUT);
    }
    for (const Connection& c : connections_) {
      shim_.closesocket(c.engine);
      emu_.closesocket(c.peer);
    }
    for (SOCKET s : extra_sockets_) shim_.closesocket(s);
    if (port_open_) {
      EXPECT_TRUE(shim_.CloseHandle(port_));
    }
    EXPECT_EQ(shim_.outstanding(), ShimOutstanding{});
    EXPECT_EQ(emu_.outstanding(), Outstanding{});
    if (HasFailure()) std::cerr << "seed " << shim_.seed() << "\n" << shim_.journal().dump();
  }

  FaultInjectingIoApi& shim() { return shim_; }
  HANDLE port() const { return port_; }
  void port_closed() { port_open_ = false; }

  Dequeued dequeue(DWORD timeout_ms = kCeilingMs) {
    Dequeued d;
    shim_.SetLastError(kDeadbeef);
    d.ok = shim_.GetQueuedCompletionStatus(port_, &d.bytes, &d.key, &d.ov, timeout_ms);
    d.error = shim_.GetLastError();
    return d;
  }

  static sockaddr_in loopback(std::uint16_t port_number) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port_number);
    return a;
  }

  std::uint16_t local_port(SOCKET s) {
    sockaddr_in a{};
    int len = sizeof a;
    EXPECT_EQ(emu_.getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
    return ntohs(a.sin_port);
  }

  // A listening socket on the backend (closed by the caller).
  SOCKET listener(IoApi& io) {
    const SOCKET l = io.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    const sockaddr_in any = loopback(0);
    EXPECT_EQ(io.bind(l, reinterpret_cast<const sockaddr*>(&any), sizeof any), 0);
    EXPECT_EQ(io.listen(l, 8), 0);
    return l;
  }

  // A socket through the shim, bound to a loopback port and associated with the port under
  // `key`: ready for ConnectEx (closed by the caller).
  SOCKET bound_socket(ULONG_PTR key) {
    const SOCKET s = shim_.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    const sockaddr_in any = loopback(0);
    EXPECT_EQ(shim_.bind(s, reinterpret_cast<const sockaddr*>(&any), sizeof any), 0);
    EXPECT_EQ(shim_.CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), port_, key, 0), port_);
    return s;
  }

  // ConnectEx through the shim to the listener `l`: 0 if done at once, else the last error.
  DWORD connect_ex(SOCKET s, SOCKET l, OVERLAPPED* ov) {
    const sockaddr_in to = loopback(local_port(l));
    shim_.SetLastError(kDeadbeef);
    const BOOL ok = shim_.ConnectEx(s, reinterpret_cast<const sockaddr*>(&to), sizeof to, nullptr, 0, nullptr, ov);
    return ok ? 0u : shim_.GetLastError();
  }

  // After a connect that did not connect: `s` is unconnected, and a retry to `l` connects for
  // real. Closes `l`.
  void expect_retry_connects(SOCKET s, SOCKET l) {
    sockaddr_in peer{};
    int len = sizeof peer;
    EXPECT_EQ(shim_.getpeername(s, reinterpret_cast<sockaddr*>(&peer), &len), SOCKET_ERROR);
    OVERLAPPED retry{};
    const DWORD error = connect_ex(s, l, &retry);
    EXPECT_TRUE(error == 0 || error == static_cast<DWORD>(WSA_IO_PENDING)) << error;
    const Dequeued connected = dequeue();
    EXPECT_EQ(connected.ok, TRUE);
    EXPECT_EQ(connected.ov, &retry);
    emu_.closesocket(emu_.accept(l, nullptr, nullptr));
    emu_.closesocket(l);
  }

  Connection connect_pair(const std::string& tag = "") {
    const SOCKET l = listener(emu_);
    Connection c;
    c.key = 0x100 + connections_.size();
    c.engine = shim_.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    const sockaddr_in to = loopback(local_port(l));
    EXPECT_EQ(shim_.connect(c.engine, reinterpret_cast<const sockaddr*>(&to), sizeof to), 0);
    c.peer = emu_.accept(l, nullptr, nullptr);
    EXPECT_NE(c.peer, INVALID_SOCKET);
    emu_.closesocket(l);
    EXPECT_EQ(shim_.CreateIoCompletionPort(reinterpret_cast<HANDLE>(c.engine), port_, c.key, 0), port_);
    if (!tag.empty()) shim_.tag_socket(c.engine, tag);
    connections_.push_back(c);
    return c;
  }

  Issued recv(SOCKET s, OVERLAPPED* ov, char* buf, ULONG len) {
    WSABUF b{len, buf};
    DWORD flags = 0;
    Issued r;
    shim_.WSASetLastError(static_cast<int>(kDeadbeef));
    r.rc = shim_.WSARecv(s, &b, 1, &r.bytes, &flags, ov, nullptr);
    r.error = shim_.WSAGetLastError();
    return r;
  }

  // A receive left pending in the backend, then `event` forced on its connection now: what the
  // receive's packet shows.
  Dequeued force_now_on_pending_recv(const Connection& c, OVERLAPPED* ov, Outcome event) {
    char buf[8];
    EXPECT_EQ(recv(c.engine, ov, buf, sizeof buf).error, WSA_IO_PENDING);
    EXPECT_EQ(emu_.outstanding().pending_ops, 1u);  // really pending
    shim_.force_now(c.engine, event);
    return dequeue();
  }

  Issued send(SOCKET s, OVERLAPPED* ov, const char* buf, ULONG len) {
    WSABUF b{len, const_cast<char*>(buf)};
    Issued r;
    shim_.WSASetLastError(static_cast<int>(kDeadbeef));
    r.rc = shim_.WSASend(s, &b, 1, &r.bytes, 0, ov, nullptr);
    r.error = shim_.WSAGetLastError();
    return r;
  }

  // The peer's side, straight on the backend.
  void peer_send(const Connection& c, const std::string& data) {
    ASSERT_EQ(emu_.send(c.peer, data.data(), static_cast<int>(data.size()), 0), static_cast<int>(data.size()));
  }

  std::string peer_recv(const Connection& c, int len) {
    std::string out(static_cast<std::size_t>(len), '\0');
    int got = 0;
    while (got < len) {
      const int n = emu_.recv(c.peer, out.data() + got, len - got, 0);
      if (n <= 0) break;
      got += n;
    }
    out.resize(static_cast<std::size_t>(got));
    return out;
  }

  void keep_socket(SOCKET s) { extra_sockets_.push_back(s); }

  ManualClock clock_;
  EmulatedIoApi emu_;
  FaultInjectingIoApi shim_;

 private:
  HANDLE port_ = nullptr;
  bool port_open_ = true;
  std::vector<Connection> connections_;
  std::vector<SOCKET> extra_sockets_;
};

}  // namespace iocpsim::iocp::testing
