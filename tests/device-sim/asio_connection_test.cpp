#include "iocpsim/devsim/asio_connection.hpp"

#include <gtest/gtest.h>

#include "asio_client.hpp"

namespace iocpsim::devsim::detail {
namespace {

using devsim::testing::run_ready;
using devsim::testing::run_until;
using devsim::testing::TestClient;

// A connected pair on loopback: `server` wrapped in an AsioConnection, `client` a plain socket.
class AsioConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    asio::ip::tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
    ASSERT_FALSE(client_.connect(acceptor.local_endpoint()));
    ConnectionEvents events;
    events.on_data = [this](const std::uint8_t* data, std::size_t n) {
      received_.insert(received_.end(), data, data + n);
    };
    events.on_eof = [this] { eof_ = true; };
    events.on_lost = [this](const std::string& why) { lost_ = why; };
    events.on_written = [this](std::size_t n) { written_ += n; };
    connection_ = std::make_shared<AsioConnection>(acceptor.accept(), std::move(events));
    connection_->start();
    client_.start_reading();
  }

  asio::io_context io_;
  TestClient client_{io_};
  std::shared_ptr<AsioConnection> connection_;
  std::vector<std::uint8_t> received_;
  bool eof_ = false;
  std::string lost_;
  std::size_t written_ = 0;
};

TEST_F(AsioConnectionTest, DeliversWhatThePeerSendsAndWritesInOrder) {
  client_.send_bytes({1, 2, 3});
  connection_->send({7});
  connection_->send({8, 9});
  ASSERT_TRUE(run_until(io_, [&] { return received_.size() == 3 && client_.bytes.size() == 3 && written_ == 3; }));
  EXPECT_EQ(client_.bytes, (std::vector<std::uint8_t>{7, 8, 9}));
  EXPECT_EQ(written_, 3u);
  EXPECT_EQ(connection_->queued_bytes(), 0u);
}

TEST_F(AsioConnectionTest, CountsWhatIsQueuedAndNotYetWritten) {
  connection_->send(std::vector<std::uint8_t>(100, 1));
  connection_->send(std::vector<std::uint8_t>(50, 2));
  EXPECT_EQ(connection_->queued_bytes(), 150u);  // no handler has run yet
  ASSERT_TRUE(run_until(io_, [&] { return written_ == 150; }));
  EXPECT_EQ(connection_->queued_bytes(), 0u);
}

TEST_F(AsioConnectionTest, ClosesGracefullyAfterTheQueuedBytes) {
  connection_->send({1, 2});
  connection_->close_gracefully();
  ASSERT_TRUE(run_until(io_, [&] { return bool(client_.read_error); }));
  EXPECT_EQ(client_.read_error, asio::error::eof);
  EXPECT_EQ(client_.bytes.size(), 2u);
  // It waits for the peer's FIN before closing, so unread bytes cannot turn into a reset.
  client_.send_bytes({5});
  client_.socket().shutdown(asio::ip::tcp::socket::shutdown_send);
  EXPECT_TRUE(run_until(io_, [&] { return !connection_->is_open(); }));
  EXPECT_TRUE(received_.empty());  // nothing is delivered once closing began
}

TEST_F(AsioConnectionTest, ResetsWithRstAndDropsWhatIsQueued) {
  connection_->reset();
  ASSERT_TRUE(run_until(io_, [&] { return bool(client_.read_error); }));
  EXPECT_EQ(client_.read_error, asio::error::connection_reset);
}

TEST_F(AsioConnectionTest, KeepsReadingAfterShuttingDownWriting) {
  connection_->send({4});
  connection_->shut_down_writing();
  ASSERT_TRUE(run_until(io_, [&] { return bool(client_.read_error); }));
  EXPECT_EQ(client_.read_error, asio::error::eof);
  client_.send_bytes({6, 6});
  EXPECT_TRUE(run_until(io_, [&] { return received_.size() == 2; }));
}

TEST_F(AsioConnectionTest, ReportsThePeersFinAndReset) {
  client_.socket().shutdown(asio::ip::tcp::socket::shutdown_send);
  EXPECT_TRUE(run_until(io_, [&] { return eof_; }));
  client_.socket().set_option(asio::socket_base::linger(true, 0));
  client_.socket().close();
  run_ready(io_);
  EXPECT_TRUE(lost_.empty());  // after EOF nothing more is read, so a later reset is not reported
}

TEST_F(AsioConnectionTest, ReportsALostConnectionWhenThePeerResets) {
  client_.socket().set_option(asio::socket_base::linger(true, 0));
  client_.socket().close();
  EXPECT_TRUE(run_until(io_, [&] { return !lost_.empty(); }));
  EXPECT_FALSE(connection_->is_open());
}

TEST_F(AsioConnectionTest, StopsDeliveringWhileReadingIsOff) {
  client_.send_bytes({1});
  ASSERT_TRUE(run_until(io_, [&] { return received_.size() == 1; }));
  connection_->set_reading(false);
  client_.send_bytes({2});
  run_ready(io_);
  EXPECT_EQ(received_.size(), 1u);
  connection_->set_reading(true);
  EXPECT_TRUE(run_until(io_, [&] { return received_.size() == 2; }));
}

}  // namespace
}  // namespace iocpsim::devsim::detail
