// What a hostile device can send, and what it must not be able to do to the host: strings that
// are not UTF-8, handling that throws, a peer that never reads, a session that dies right after
// its handshake. Each test keeps a healthy device beside the hostile one where that matters.
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine_harness.hpp"

namespace iocpsim::engine::testing {
namespace {

namespace proto = iocpsim::protocol;

using HostileDeviceTest = EngineHarness;

// A sink that throws for one event of one device, once: an exception out of a worker's handling.
class ThrowingSink final : public EventSink {
 public:
  ThrowingSink(std::string event, std::string device)
      : event_(std::move(event)), device_(std::move(device)) {}
  void write(const Event& e) override {
    if (e.name == event_ && e.device == device_ && !thrown_.exchange(true)) {
      throw std::runtime_error("sink failed on purpose");
    }
  }

 private:
  std::string event_;
  std::string device_;
  std::atomic<bool> thrown_{false};
};

TEST_F(HostileDeviceTest, StringsThatAreNotUtf8AreLoggedEscapedAndTheLogStaysJsonLines) {
  std::ostringstream lines;
  log.add_sink(std::make_shared<JsonLinesSink>(lines));
  start();
  TestDevice peer;
  ASSERT_TRUE(engine->add_device(device("d", peer)));
  peer.accept();
  ASSERT_EQ(peer.read_frame().type, proto::MessageType::hello);
  // An overlong '/', a lone surrogate, a byte that starts nothing: each must reach the log.
  peer.send(proto::HelloAck{1, 0x7, 0, "dev\xC0\xAF", "sn", "fw\xED\xA0\x80"});
  peer.send(proto::Error{proto::ErrorCode::too_busy, 1, "busy \xFF"});
  peer.send(proto::Bye{proto::ByeReason::restarting, "bye \xFE\xFF"});
  peer.shutdown_send();
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));

  EXPECT_EQ(first("session_ready", "d")["device_id_utf8"], false);
  EXPECT_EQ(first("session_ready", "d")["device_id_hex"], "646576c0af");
  EXPECT_EQ(first("session_ready", "d")["firmware_hex"], "6677eda080");
  EXPECT_EQ(first("device_error", "d")["text"], "busy \xEF\xBF\xBD");
  EXPECT_EQ(first("device_error", "d")["text_utf8"], false);
  EXPECT_EQ(first("peer_bye", "d")["text_hex"], "62796520feff");
  EXPECT_FALSE(first("peer_bye", "d").contains("reason_utf8"));
  finish();

  std::istringstream in(lines.str());
  std::size_t parsed = 0;
  for (std::string line; std::getline(in, line); ++parsed) {
    ASSERT_TRUE(nlohmann::json::accept(line)) << line;
  }
  EXPECT_EQ(parsed, sink->events().size());
}

TEST_F(HostileDeviceTest, AnExceptionWhileHandlingOneConnectionClosesItAndTheWorkersLiveOn) {
  start();
  TestDevice healthy;
  connect_ready("h", healthy);
  TestDevice peer;
  connect_ready("d", peer);
  log.add_sink(std::make_shared<ThrowingSink>("peer_bye", "d"));
  peer.send(proto::Bye{proto::ByeReason::normal, "going"});
  ASSERT_TRUE(wait("handler_exception", "d"));
  EXPECT_EQ(first("handler_exception", "d")["op"], "receive");
  EXPECT_EQ(first("handler_exception", "d")["what"], "sink failed on purpose");
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  EXPECT_EQ(first("reconnect_scheduled", "d")["attempt"], 1);

  // Every worker still serves: the device comes back, the healthy one keeps its session.
  advance(100);
  peer.handshake();
  ASSERT_TRUE(wait("session_ready", "d", 2));
  healthy.telemetry(1, 0);
  ASSERT_TRUE(recorder.wait_telemetry("h", 1));
  EXPECT_EQ(sink->count("handler_exception", "h"), 0u);
  EXPECT_EQ(sink->count("socket_closed", "h"), 0u);
}

}  // namespace
}  // namespace iocpsim::engine::testing
