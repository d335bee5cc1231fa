// The host socket layer this build compiles (BSD sockets on Linux, Winsock on Windows): every
// socket non-blocking, every error an errno value.
#include "host_socket.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace iocpsim::iocp::detail {
namespace {

sockaddr_in loopback_any_port() {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

class HostSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(host_open(AF_INET, SOCK_STREAM, IPPROTO_TCP, &listener_), 0);
    sockaddr_in a = loopback_any_port();
    ASSERT_EQ(host_bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(host_listen(listener_, 4), 0);
    int len = sizeof address_;
    ASSERT_EQ(host_getsockname(listener_, reinterpret_cast<sockaddr*>(&address_), &len), 0);
  }

  void TearDown() override {
    for (const HostSocket s : {client_, server_, listener_}) {
      if (s != kNoHostSocket) host_close(s);
    }
  }

  // A connected loopback pair: client_ connected, server_ accepted.
  void connect_pair() {
    ASSERT_EQ(host_open(AF_INET, SOCK_STREAM, IPPROTO_TCP, &client_), 0);
    const int rc = host_connect(client_, reinterpret_cast<sockaddr*>(&address_), sizeof address_);
    ASSERT_TRUE(rc == 0 || rc == EINPROGRESS) << rc;
    host_wait(client_, true);
    ASSERT_EQ(host_pending_error(client_), 0);
    host_wait(listener_, false);
    ASSERT_EQ(host_accept(listener_, nullptr, nullptr, &server_), 0);
  }

  HostStack stack_;
  HostSocket listener_ = kNoHostSocket;
  HostSocket client_ = kNoHostSocket;
  HostSocket server_ = kNoHostSocket;
  sockaddr_in address_{};
};

TEST_F(HostSocketTest, AcceptWithNoConnectionWaitingWouldBlock) {
  HostSocket s = kNoHostSocket;
  EXPECT_EQ(host_accept(listener_, nullptr, nullptr, &s), kHostWouldBlock);
}

TEST_F(HostSocketTest, AReceiveWithNothingThereWouldBlockAndSoDoesAPeek) {
  connect_pair();
  char byte = 0;
  WSABUF into{1, &byte};
  std::size_t n = 0;
  EXPECT_EQ(host_receive(server_, &into, 1, &n), kHostWouldBlock);
  EXPECT_EQ(host_peek(server_), kHostWouldBlock);
}

TEST_F(HostSocketTest, ScatteredBytesArriveInOrderAndAPeekConsumesNone) {
  connect_pair();
  char head[] = "hel";
  char tail[] = "lo";
  const WSABUF out[2] = {{3, head}, {2, tail}};
  std::size_t sent = 0;
  ASSERT_EQ(host_send(client_, out, 2, &sent), 0);
  EXPECT_EQ(sent, 5u);
  host_wait(server_, false);
  EXPECT_EQ(host_peek(server_), 0);
  char a[2] = {};
  char b[8] = {};
  const WSABUF in[2] = {{2, a}, {8, b}};
  std::size_t got = 0;
  std::string received;
  while (received.size() < 5) {
    host_wait(server_, false);
    ASSERT_EQ(host_receive(server_, in, 2, &got), 0);
    ASSERT_GT(got, 0u);
    received += std::string(a, got < 2 ? got : 2) + std::string(b, got > 2 ? got - 2 : 0);
  }
  EXPECT_EQ(received, "hello");
}

TEST_F(HostSocketTest, EndOfStreamIsAReceiveOfZeroBytes) {
  connect_pair();
  ASSERT_EQ(host_shutdown(client_, SD_SEND), 0);
  host_wait(server_, false);
  char byte = 0;
  const WSABUF into{1, &byte};
  std::size_t n = 99;
  EXPECT_EQ(host_receive(server_, &into, 1, &n), 0);
  EXPECT_EQ(n, 0u);
}

TEST_F(HostSocketTest, ErrorsComeBackAsErrnoValues) {
  HostSocket s = kNoHostSocket;
  ASSERT_EQ(host_open(AF_INET, SOCK_STREAM, IPPROTO_TCP, &s), 0);
  EXPECT_EQ(host_bind(s, reinterpret_cast<sockaddr*>(&address_), sizeof address_), EADDRINUSE);
  host_close(s);
}

}  // namespace
}  // namespace iocpsim::iocp::detail
