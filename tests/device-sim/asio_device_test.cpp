#include "iocpsim/devsim/asio_device.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "asio_client.hpp"
#include "iocpsim/devsim/record.hpp"
#include "iocpsim/devsim/spec.hpp"

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;
using testing::run_ready;
using testing::run_until;
using testing::TestClient;

const asio::ip::tcp::endpoint kAnyLoopbackPort{asio::ip::make_address("127.0.0.1"), 0};

class AsioDeviceTest : public ::testing::Test {
 protected:
  // Starts a device with this spec (JSON text) on a free loopback port.
  AsioDevice& start(const std::string& spec) {
    device_ = std::make_unique<AsioDevice>(io_, parse_device_spec(nlohmann::json::parse(spec), ""), clock_, 1,
                                           [this](const nlohmann::json& e) { log_.push_back(e); });
    device_->start(kAnyLoopbackPort);
    return *device_;
  }
  asio::ip::tcp::endpoint endpoint() const { return device_->local_endpoint(); }
  void advance_ms(std::int64_t ms) {
    clock_.advance(std::chrono::milliseconds(ms));
    device_->poke();
  }

  std::size_t logged(const std::string& event) const {
    return static_cast<std::size_t>(
        std::count_if(log_.begin(), log_.end(), [&](const auto& e) { return e["event"] == event; }));
  }

  asio::io_context io_;
  ManualClock clock_;
  std::vector<nlohmann::json> log_;
  std::unique_ptr<AsioDevice> device_;
};

TEST_F(AsioDeviceTest, ReportsTheBoundPortAndAnswersHello) {
  start("{}");
  EXPECT_NE(endpoint().port(), 0);
  TestClient client(io_);
  ASSERT_FALSE(client.connect(endpoint()));
  client.send(pr::Hello{1, 1, 0, "host"});
  client.start_reading();
  ASSERT_TRUE(run_until(io_, [&] { return client.has_frame("hello_ack"); }));
  EXPECT_EQ(device_->record().received_count(pr::MessageType::hello), 1u);
  EXPECT_TRUE(run_until(io_, [&] { return device_->record().bytes_written == client.bytes.size(); }));
}

TEST_F(AsioDeviceTest, AResetReachesThePeerAsEconnreset) {
  start(R"({"script": [{"step": "reset"}]})");
  TestClient client(io_);
  ASSERT_FALSE(client.connect(endpoint()));
  client.start_reading();
  ASSERT_TRUE(run_until(io_, [&] { return bool(client.read_error); }));
  EXPECT_EQ(client.read_error, asio::error::connection_reset) << client.read_error.message();
}

TEST_F(AsioDeviceTest, AGracefulCloseReachesThePeerAsEofAfterTheQueuedFrames) {
  start(R"({"script": [{"step": "raise_event", "code": 5}, {"step": "close"}]})");
  TestClient client(io_);
  ASSERT_FALSE(client.connect(endpoint()));
  client.start_reading();
  ASSERT_TRUE(run_until(io_, [&] { return bool(client.read_error); }));
  EXPECT_EQ(client.read_error, asio::error::eof) << client.read_error.message();
  ASSERT_EQ(client.frames.size(), 1u);
  EXPECT_EQ(client.frames[0]["code"], 5);
}

TEST_F(AsioDeviceTest, AHalfCloseSendsEofButStillReadsWhatThePeerSends) {
  start(R"({"script": [{"step": "half_close"}, {"step": "expect", "message": {"type": "heartbeat", "nonce": 9}}]})");
  TestClient client(io_);
  ASSERT_FALSE(client.connect(endpoint()));
  client.start_reading();
  ASSERT_TRUE(run_until(io_, [&] { return bool(client.read_error); }));
  EXPECT_EQ(client.read_error, asio::error::eof);
  client.send(pr::Heartbeat{9});
  ASSERT_TRUE(run_until(io_, [&] { return device_->device().script_done(); }));
  EXPECT_FALSE(device_->device().script_failed()) << device_->device().failure();
}

TEST_F(AsioDeviceTest, RefusingMakesConnectFailWithEconnrefused) {
  start(R"({"script": [{"step": "refuse_connections"}]})");
  TestClient client(io_);
  EXPECT_EQ(client.connect(endpoint()), asio::error::connection_refused);
}

TEST_F(AsioDeviceTest, RefusesAfterServingAConnectionAndListensAgainWhenTheTimeIsUp) {
  start(R"({"script": [{"step": "close"}, {"step": "refuse_connections", "for_ms": 1000}]})");
  TestClient first(io_);
  ASSERT_FALSE(first.connect(endpoint()));
  first.start_reading();
  ASSERT_TRUE(run_until(io_, [&] { return bool(first.read_error); }));
  TestClient refused(io_);
  EXPECT_EQ(refused.connect(endpoint()), asio::error::connection_refused);
  advance_ms(1000);
  ASSERT_TRUE(run_until(io_, [&] { return device_->device().listen_mode() == ListenMode::accepting; }));
  TestClient later(io_);
  ASSERT_FALSE(later.connect(endpoint()));
  later.send(pr::Hello{1, 1, 0, "h"});
  later.start_reading();
  EXPECT_TRUE(run_until(io_, [&] { return later.has_frame("hello_ack"); }));
}

TEST_F(AsioDeviceTest, AcceptsOnlyOnceTheDelayHasPassed) {
  start(R"({"script": [{"step": "accept_after", "delay_ms": 10000}]})");
  TestClient client(io_);
  ASSERT_FALSE(client.connect(endpoint()));  // the kernel completes it into the backlog
  client.send(pr::Hello{1, 1, 0, "h"});
  client.start_reading();
  run_ready(io_);
  EXPECT_EQ(device_->record().connections_accepted, 0u);
  EXPECT_TRUE(client.frames.empty());
  advance_ms(10000);
  ASSERT_TRUE(run_until(io_, [&] { return client.has_frame("hello_ack"); }));
  EXPECT_EQ(device_->record().connections_accepted, 1u);
}

TEST_F(AsioDeviceTest, NeverAcceptingLeavesTheConnectionUnread) {
  start(R"({"script": [{"step": "never_accept"}]})");
  TestClient client(io_);
  ASSERT_FALSE(client.connect(endpoint()));
  client.send(pr::Hello{1, 1, 0, "h"});
  client.start_reading();
  run_ready(io_);
  advance_ms(3'600'000);
  run_ready(io_);
  EXPECT_EQ(device_->record().connections_accepted, 0u);
  EXPECT_EQ(device_->record().bytes_received, 0u);
  EXPECT_TRUE(client.frames.empty());
}

// A connect whose handshake the device withholds: started without blocking, still in progress
// after a ceiling well under the peer's first SYN retransmission (1 s on Linux).
class PendingConnect {
 public:
  PendingConnect(asio::io_context& io, const asio::ip::tcp::endpoint& to) : socket_(io) {
    socket_.async_connect(to, [this](const asio::error_code& ec) {
      done_ = true;
      error_ = ec;
    });
  }
  bool done() const { return done_; }
  asio::error_code error() const { return error_; }
  asio::ip::tcp::socket& socket() { return socket_; }

 private:
  asio::ip::tcp::socket socket_;
  bool done_ = false;
  asio::error_code error_;
};

TEST_F(AsioDeviceTest, WithheldHandshakesLeaveThePeersConnectInProgressUntilTheDeviceAccepts) {
  if (!handshake_withholding_supported()) GTEST_SKIP() << "no handshake withholding on this platform";
  start(R"({"script": [{"step": "never_accept", "handshake": "withheld"}, {"step": "wait", "ms": 5000},
                       {"step": "accept_connections"}]})");
  ASSERT_TRUE(run_until(io_, [&] { return device_->withholding_handshakes(); }));
  PendingConnect connect(io_, endpoint());
  io_.restart();
  io_.run_for(std::chrono::milliseconds(300));  // a ceiling: the connect must not complete at all
  EXPECT_FALSE(connect.done()) << connect.error().message();
  advance_ms(5000);
  ASSERT_TRUE(run_until(io_, [&] { return connect.done(); }));  // at the next SYN retransmission
  ASSERT_FALSE(connect.error()) << connect.error().message();
  TestClient client(std::move(connect.socket()));
  client.send(pr::Hello{1, 1, 0, "h"});
  client.start_reading();
  ASSERT_TRUE(run_until(io_, [&] { return client.has_frame("hello_ack"); }));
  EXPECT_EQ(device_->record().connections_accepted, 1u);  // the device's own plug is not counted
}

TEST_F(AsioDeviceTest, WithheldHandshakesForADelayLetTheConnectCompleteAfterIt) {
  if (!handshake_withholding_supported()) GTEST_SKIP() << "no handshake withholding on this platform";
  start(R"({"script": [{"step": "accept_after", "delay_ms": 10000, "handshake": "withheld"}]})");
  ASSERT_TRUE(run_until(io_, [&] { return device_->withholding_handshakes(); }));
  PendingConnect connect(io_, endpoint());
  io_.restart();
  io_.run_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(connect.done()) << connect.error().message();
  advance_ms(10000);
  ASSERT_TRUE(run_until(io_, [&] { return connect.done(); }));
  EXPECT_FALSE(connect.error()) << connect.error().message();
  EXPECT_TRUE(run_until(io_, [&] { return device_->record().connections_accepted == 1; }));
}

TEST_F(AsioDeviceTest, RefusingAfterWithholdingRefusesConnectsAndDropsThePlug) {
  if (!handshake_withholding_supported()) GTEST_SKIP() << "no handshake withholding on this platform";
  start(R"({"script": [{"step": "never_accept", "handshake": "withheld"}, {"step": "wait", "ms": 1000},
                       {"step": "refuse_connections"}]})");
  ASSERT_TRUE(run_until(io_, [&] { return device_->withholding_handshakes(); }));
  advance_ms(1000);
  ASSERT_TRUE(run_until(io_, [&] { return device_->device().listen_mode() == ListenMode::refusing; }));
  EXPECT_FALSE(device_->withholding_handshakes());
  TestClient refused(io_);
  EXPECT_EQ(refused.connect(endpoint()), asio::error::connection_refused);
}

TEST_F(AsioDeviceTest, StoppingReadingMakesThePeersSendsBackUp) {
  start(R"({"answer_heartbeats": false, "script": [{"step": "stop_reading"}]})");
  TestClient client(io_);
  ASSERT_FALSE(client.connect(endpoint()));
  ASSERT_TRUE(run_until(io_, [&] { return !device_->device().is_reading(); }));
  run_ready(io_);
  client.socket().non_blocking(true);
  // Well-formed frames: garbage would make the device close the connection instead.
  std::vector<std::uint8_t> chunk;
  while (chunk.size() < 64 * 1024) {
    const auto frame = testing::encode_heartbeat(chunk.size());
    chunk.insert(chunk.end(), frame.begin(), frame.end());
  }
  std::size_t sent = 0;
  asio::error_code ec;
  while (!ec && sent < (256u << 20)) {
    sent += client.socket().write_some(asio::buffer(chunk), ec);
    run_ready(io_);  // give the device every chance to read, which it must not take
  }
  EXPECT_EQ(ec, asio::error::would_block)
      << "sent " << sent << " bytes without backing up; device read " << device_->record().bytes_received;
  EXPECT_EQ(device_->record().bytes_received, 0u);
}

TEST_F(AsioDeviceTest, AStallHoldsTheAnswerUntilItsTimeIsUp) {
  start(R"({"script": [{"step": "expect", "message": {"type": "hello"}}, {"step": "stall", "for_ms": 5000}]})");
  TestClient client(io_);
  ASSERT_FALSE(client.connect(endpoint()));
  client.send(pr::Hello{1, 1, 0, "h"});
  client.start_reading();
  ASSERT_TRUE(run_until(io_, [&] { return client.has_frame("hello_ack"); }));
  client.send(pr::Heartbeat{4});
  run_ready(io_);
  EXPECT_FALSE(client.has_frame("heartbeat_ack"));
  advance_ms(5000);
  EXPECT_TRUE(run_until(io_, [&] { return client.has_frame("heartbeat_ack"); }));
}

TEST_F(AsioDeviceTest, ResetsTheCountedConnectionsAndServesTheNext) {
  start(R"({"script": [{"step": "reset_connections", "count": 1}]})");
  TestClient first(io_);
  ASSERT_FALSE(first.connect(endpoint()));
  first.start_reading();
  ASSERT_TRUE(run_until(io_, [&] { return bool(first.read_error); }));
  EXPECT_EQ(first.read_error, asio::error::connection_reset);
  TestClient second(io_);
  ASSERT_FALSE(second.connect(endpoint()));
  second.send(pr::Hello{1, 1, 0, "h"});
  second.start_reading();
  EXPECT_TRUE(run_until(io_, [&] { return second.has_frame("hello_ack"); }));
}

TEST_F(AsioDeviceTest, WritesEachChunkSeparatelyAtItsTime) {
  start(R"({"script": [{"step": "send_chunked", "hex": "0102030405", "chunks": [2], "delay_ms": 1000}]})");
  TestClient client(io_);
  ASSERT_FALSE(client.connect(endpoint()));
  client.start_reading();
  ASSERT_TRUE(run_until(io_, [&] { return client.bytes.size() == 2; }));
  run_ready(io_);
  EXPECT_EQ(client.bytes.size(), 2u);
  advance_ms(1000);
  ASSERT_TRUE(run_until(io_, [&] { return client.bytes.size() == 5; }));
  EXPECT_EQ(client.bytes, (std::vector<std::uint8_t>{1, 2, 3, 4, 5}));
}

TEST_F(AsioDeviceTest, RunsSeveralDevicesOnOneIoContext) {
  start(R"({"name": "a", "identity": {"device_id": "dev-a"}})");
  AsioDevice other(io_, parse_device_spec(nlohmann::json::parse(R"({"identity": {"device_id": "dev-b"}})"), ""), clock_,
                   2);
  other.start(kAnyLoopbackPort);
  EXPECT_NE(other.local_endpoint().port(), endpoint().port());
  TestClient to_a(io_);
  TestClient to_b(io_);
  ASSERT_FALSE(to_a.connect(endpoint()));
  ASSERT_FALSE(to_b.connect(other.local_endpoint()));
  to_a.send(pr::Hello{1, 1, 0, "h"});
  to_b.send(pr::Hello{1, 1, 0, "h"});
  to_a.start_reading();
  to_b.start_reading();
  ASSERT_TRUE(run_until(io_, [&] { return to_a.has_frame("hello_ack") && to_b.has_frame("hello_ack"); }));
  EXPECT_EQ(to_a.frames[0]["device_id"], "dev-a");
  EXPECT_EQ(to_b.frames[0]["device_id"], "dev-b");
}

TEST_F(AsioDeviceTest, ThrowsWhenThePortIsTaken) {
  start("{}");
  AsioDevice second(io_, parse_device_spec(nlohmann::json::parse("{}"), ""), clock_, 1);
  EXPECT_THROW(second.start(endpoint()), std::system_error);
}

TEST_F(AsioDeviceTest, IsIdleOnceTheScriptEndedAndTheConnectionClosed) {
  start(R"({"script": [{"step": "close"}]})");
  EXPECT_FALSE(device_->idle());
  TestClient client(io_);
  ASSERT_FALSE(client.connect(endpoint()));
  client.start_reading();
  ASSERT_TRUE(run_until(io_, [&] { return bool(client.read_error); }));
  EXPECT_TRUE(device_->idle());
}

// The channel_seq of every telemetry frame in `frames`, by channel.
std::map<int, std::vector<std::uint32_t>> telemetry_seqs(const std::vector<nlohmann::json>& frames) {
  std::map<int, std::vector<std::uint32_t>> seqs;
  for (const auto& f : frames) {
    if (f["type"] == "telemetry") seqs[f["channel"].get<int>()].push_back(f["channel_seq"].get<std::uint32_t>());
  }
  return seqs;
}

TEST_F(AsioDeviceTest, APeerThatDoesNotReadFillsTheSendQueueToItsLimitAndNoFurtherThenGetsEverythingInOrder) {
  constexpr std::size_t kMax = 64 * 1024;
  start(
      R"({"telemetry": {"channels": [0, 1], "rate_hz": 1000, "sample_bytes": 1000},
            "send_queue": {"max_bytes": 65536, "low_water_bytes": 16384}})");
  TestClient client(io_);
  ASSERT_FALSE(client.connect(endpoint()));
  client.send(pr::Hello{1, 1, 0, "h"});  // and then reads nothing
  ASSERT_TRUE(run_until(io_, [&] {
    return device_->record().connections_accepted == 1 && device_->device().model_view().handshake_done();
  }));
  // Each step of the clock makes 200 samples due. The kernel's socket buffers take what the device writes until they
  // are full; from then on the device's own queue fills and stays full.
  int steps = 0;
  while (!device_->device().model_view().send_blocked() && steps < 100000) {
    advance_ms(100);
    run_ready(io_);
    ++steps;
    ASSERT_LE(device_->send_queue_bytes(), kMax);
  }
  ASSERT_TRUE(device_->device().model_view().send_blocked()) << "the queue never filled in " << steps << " steps";
  const auto sent_when_full = device_->record().sent.size();
  for (int i = 0; i < 50; ++i) {  // five more seconds of a host that does not read
    advance_ms(100);
    run_ready(io_);
  }
  EXPECT_EQ(device_->record().sent.size(), sent_when_full) << "samples were produced while the queue was full";
  EXPECT_LE(device_->send_queue_bytes(), kMax);
  // Still waiting: the kernel took what it could and the queue has not drained to its low-water mark.
  EXPECT_EQ(device_->send_queue_bytes(), device_->device().model_view().send_queued());
  EXPECT_GT(device_->send_queue_bytes(), 16384u);
  EXPECT_LE(device_->record().send_queue_peak_bytes, kMax);
  EXPECT_EQ(logged("send_queue_full"), device_->record().send_backpressure);

  client.start_reading();  // the host reads again: everything queued arrives, in order
  ASSERT_TRUE(run_until(io_, [&] {
    return !device_->device().model_view().send_blocked() && client.bytes.size() == device_->record().bytes_queued;
  }));
  EXPECT_GE(logged("send_queue_drained"), 1u);
  advance_ms(100);  // and the stream goes on from where it paused
  ASSERT_TRUE(run_until(io_, [&] {
    return client.bytes.size() == device_->record().bytes_queued && device_->record().sent.size() > sent_when_full;
  }));
  const auto seqs = telemetry_seqs(client.frames);
  ASSERT_EQ(seqs.size(), 2u) << client.frames.size() << " frames in " << client.bytes.size() << " bytes";
  for (const int channel : {0, 1}) {
    const auto& got = seqs.at(channel);
    EXPECT_EQ(got, device_->record().telemetry_seqs(static_cast<std::uint16_t>(channel)));
    for (std::size_t i = 0; i < got.size(); ++i)
      ASSERT_EQ(got[i], i) << "channel " << channel << " has a gap or is out of order";
  }
  EXPECT_EQ(device_->record().telemetry_dropped, 0u);
}

TEST_F(AsioDeviceTest, RefusesExactlyTheCountedConnectsThenAcceptsTheNext) {
  if (const auto why = refusal_counting_unavailable()) GTEST_SKIP() << *why;
  start(R"({"script": [{"step": "refuse_connections", "count": 3}]})");
  ASSERT_EQ(logged("counting_refusals"), 1u);
  for (std::size_t attempt = 1; attempt <= 3; ++attempt) {
    TestClient refused(io_);
    EXPECT_EQ(refused.connect(endpoint()), asio::error::connection_refused) << "attempt " << attempt;
    // The device sees the refused SYN; after the third it listens again before this returns.
    ASSERT_TRUE(run_until(io_, [&] { return logged("connection_refused") == attempt; }));
  }
  EXPECT_EQ(device_->device().listen_mode(), ListenMode::accepting);
  TestClient fourth(io_);
  ASSERT_FALSE(fourth.connect(endpoint()));
  fourth.send(pr::Hello{1, 1, 0, "h"});
  fourth.start_reading();
  ASSERT_TRUE(run_until(io_, [&] { return fourth.has_frame("hello_ack"); }));
  EXPECT_EQ(device_->record().connections_accepted, 1u);
  EXPECT_EQ(logged("connection_refused"), 3u);
  EXPECT_EQ(logged("connection_refused_past_count"), 0u);
  EXPECT_TRUE(device_->device().script_done());
  EXPECT_FALSE(device_->device().script_failed()) << device_->device().failure();
}

}  // namespace
}  // namespace iocpsim::devsim
