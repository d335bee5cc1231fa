// The readiness reactor this build compiles (epoll on Linux, WSAPoll on Windows): one-shot
// reports on its own thread, nothing for a socket that is not armed or no longer watched.
#include "reactor.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace iocpsim::iocp::detail {
namespace {

constexpr auto kGenerous = std::chrono::seconds(10);
constexpr std::uint64_t kToken = 0xC0FFEE;

// What the reactor thread reported, for the test thread to wait on.
struct Reports {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::uint32_t> bits;

  static void handler(void* context, std::uint64_t token, std::uint32_t ready_bits) {
    auto& self = *static_cast<Reports*>(context);
    EXPECT_EQ(token, kToken);
    std::lock_guard lock(self.mutex);
    self.bits.push_back(ready_bits);
    self.changed.notify_all();
  }

  bool wait_for(std::size_t count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, kGenerous, [&] { return bits.size() >= count; });
  }

  std::size_t count() {
    std::lock_guard lock(mutex);
    return bits.size();
  }

  // Under the lock: the reactor thread may be adding a report meanwhile.
  std::uint32_t bits_of(std::size_t i) {
    std::lock_guard lock(mutex);
    return bits.at(i);
  }
};

class ReactorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(host_open(AF_INET, SOCK_STREAM, IPPROTO_TCP, &listener_), 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(host_bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(host_listen(listener_, 4), 0);
    int len = sizeof a;
    ASSERT_EQ(host_getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len), 0);
    ASSERT_EQ(host_open(AF_INET, SOCK_STREAM, IPPROTO_TCP, &client_), 0);
    const int rc = host_connect(client_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ASSERT_TRUE(rc == 0 || rc == EINPROGRESS) << rc;
    host_wait(listener_, false);
    ASSERT_EQ(host_accept(listener_, nullptr, nullptr, &server_), 0);
    host_wait(client_, true);
    reactor_ = make_reactor(&Reports::handler, &reports_);
  }

  void TearDown() override {
    reactor_.reset();
    for (const HostSocket s : {client_, server_, listener_}) host_close(s);
  }

  void client_sends_a_byte() {
    char byte = 'x';
    const WSABUF out{1, &byte};
    std::size_t sent = 0;
    ASSERT_EQ(host_send(client_, &out, 1, &sent), 0);
  }

  HostStack stack_;
  Reports reports_;
  HostSocket listener_ = kNoHostSocket;
  HostSocket client_ = kNoHostSocket;
  HostSocket server_ = kNoHostSocket;
  std::unique_ptr<Reactor> reactor_;
};

TEST_F(ReactorTest, AnArmedSocketIsReportedOnceWhenDataArrives) {
  ASSERT_EQ(reactor_->watch(server_, kToken), 0);
  reactor_->arm(server_, kToken, kReadable);
  client_sends_a_byte();
  ASSERT_TRUE(reports_.wait_for(1));
  EXPECT_NE(reports_.bits_of(0) & kReadable, 0u);
  // One-shot: still readable, but silent until armed again; arming again reports at once.
  reactor_->arm(server_, kToken, kReadable);
  ASSERT_TRUE(reports_.wait_for(2));
  reactor_->unwatch(server_);
}

TEST_F(ReactorTest, ReadinessFromBeforeTheArmingIsNotLost) {
  ASSERT_EQ(reactor_->watch(server_, kToken), 0);
  client_sends_a_byte();
  host_wait(server_, false);
  reactor_->arm(server_, kToken, kReadable);
  EXPECT_TRUE(reports_.wait_for(1));
  reactor_->unwatch(server_);
}

TEST_F(ReactorTest, AConnectedSocketArmedForWritingIsReportedWritable) {
  ASSERT_EQ(reactor_->watch(client_, kToken), 0);
  reactor_->arm(client_, kToken, kWritable);
  ASSERT_TRUE(reports_.wait_for(1));
  EXPECT_NE(reports_.bits_of(0) & kWritable, 0u);
  reactor_->unwatch(client_);
}

TEST_F(ReactorTest, AnUnwatchedSocketIsNeverReported) {
  ASSERT_EQ(reactor_->watch(server_, kToken), 0);
  reactor_->arm(server_, kToken, kReadable);
  reactor_->unwatch(server_);
  client_sends_a_byte();
  host_wait(server_, false);
  // A second socket's report proves the reactor thread went round after the data arrived.
  ASSERT_EQ(reactor_->watch(client_, kToken), 0);
  reactor_->arm(client_, kToken, kWritable);
  ASSERT_TRUE(reports_.wait_for(1));
  reactor_->unwatch(client_);
  EXPECT_EQ(reports_.count(), 1u);
  EXPECT_EQ(reports_.bits_of(0) & kReadable, 0u);
}

}  // namespace
}  // namespace iocpsim::iocp::detail
