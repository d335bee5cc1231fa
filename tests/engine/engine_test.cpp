// The embedding API and the isolation guarantee: one bad device never hurts another.
#include <gtest/gtest.h>

#include <mutex>

#include "engine_harness.hpp"

namespace iocpsim::engine::testing {
namespace {

namespace proto = iocpsim::protocol;

using EngineTest = EngineHarness;

TEST_F(EngineTest, DevicesNeedAUniqueNameAndAnIpv4Address) {
  start();
  TestDevice peer;
  EXPECT_TRUE(engine->add_device(device("d", peer)));
  EXPECT_FALSE(engine->add_device(device("d", peer)));
  DeviceConfig bad = device("e", peer);
  bad.host = "not-an-address";
  EXPECT_FALSE(engine->add_device(bad));
  EXPECT_EQ(sink->count("device_rejected"), 1u);
  EXPECT_FALSE(engine->remove_device("nobody"));
}

TEST_F(EngineTest, DevicesBeyondTheLimitAreRejectedWithTheReason) {
  EngineOptions o;
  o.devices_max = 1;
  start(o);
  TestDevice peer;
  EXPECT_TRUE(engine->add_device(device("d", peer)));
  EXPECT_FALSE(engine->add_device(device("e", peer)));
  DeviceConfig unnamed = device("", peer);
  EXPECT_FALSE(engine->add_device(unnamed));
  std::vector<std::string> reasons;
  for (const Event& e : sink->events()) {
    if (e.name == "device_rejected") reasons.push_back(e.fields["reason"]);
  }
  EXPECT_EQ(reasons, (std::vector<std::string>{"too_many_devices", "name"}));
}

TEST_F(EngineTest, RemovingADeviceSaysByeHalfClosesAndReleasesEverything) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  ASSERT_TRUE(engine->remove_device("d"));
  EXPECT_EQ(peer.read_frame().type, proto::MessageType::bye);
  EXPECT_TRUE(peer.read_end_of_stream());
  peer.close();
  ASSERT_TRUE(wait("connection_released", "d"));
  EXPECT_EQ(sink->count("reconnect_scheduled", "d"), 0u);
  EXPECT_EQ(engine->live_connection_contexts(), 0u);
  EXPECT_EQ(engine->state("d"), SessionState::stopped);  // unknown now
}

TEST_F(EngineTest, ShutdownWhileARemovedDeviceStillDrainsForcesItWithoutASecondBye) {
  start();
  TestDevice peer;
  connect_ready("d", peer);
  ASSERT_TRUE(engine->remove_device("d"));
  ASSERT_TRUE(wait("half_closed", "d"));
  finish();  // the peer never answers: the bound forces the close
  EXPECT_EQ(sink->count("bye_sent", "d"), 1u);
  EXPECT_EQ(sink->count("shutdown_forced", "d"), 1u);
}

TEST_F(EngineTest, StateChangesReachTheStateCallbackInOrder) {
  std::mutex m;
  std::vector<std::pair<SessionState, SessionState>> seen;
  log.add_sink(sink);
  Callbacks cb;
  cb.on_state = [&](const std::string&, SessionState from, SessionState to) {
    std::lock_guard lock(m);
    seen.emplace_back(from, to);
  };
  engine = std::make_unique<Engine>(io, clock, log, EngineOptions{}, cb);
  ASSERT_TRUE(engine->start());
  TestDevice peer;
  connect_ready("d", peer);
  finish();  // every callback has run: `seen` (on this stack) is no longer touched
  const std::vector<std::pair<SessionState, SessionState>> expected = {
      {SessionState::backoff, SessionState::connecting},
      {SessionState::connecting, SessionState::handshaking},
      {SessionState::handshaking, SessionState::ready},
      {SessionState::ready, SessionState::closing},
      {SessionState::closing, SessionState::stopped}};
  EXPECT_EQ(seen, expected);
}

TEST_F(EngineTest, OnSocketNamesEachNewSocketBeforeAnyIoIsIssuedOnIt) {
  std::mutex m;
  std::vector<std::string> seen;    // "<device>: <sockets made> made, <sockets bound> bound"
  std::uint64_t made_at_start = 0;  // start() makes and binds sockets of its own for its probe
  std::uint64_t bound_at_start = 0;
  log.add_sink(sink);
  Callbacks cb;
  cb.on_socket = [&](const std::string& dev, SOCKET s) {
    // One device: its calls are serial, so the counts say where in its sequence this runs.
    const std::uint64_t made = io.count(Call::socket) - made_at_start;
    const std::uint64_t bound = io.count(Call::bind) - bound_at_start;
    std::lock_guard lock(m);
    seen.push_back(dev + (s != INVALID_SOCKET ? ": " : ": invalid, ") + std::to_string(made) + " made, " +
                   std::to_string(bound) + " bound");
  };
  workers = 2;
  engine = std::make_unique<Engine>(io, clock, log, EngineOptions{}, cb);
  ASSERT_TRUE(engine->start());
  made_at_start = io.count(Call::socket);
  bound_at_start = io.count(Call::bind);
  TestDevice peer;
  connect_ready("d", peer);
  peer.reset();  // a second connection follows after the backoff
  ASSERT_TRUE(wait("reconnect_scheduled", "d"));
  advance(100);
  peer.handshake();
  ASSERT_TRUE(wait("session_ready", "d", 2));
  finish();
  EXPECT_EQ(seen, (std::vector<std::string>{"d: 1 made, 0 bound", "d: 2 made, 1 bound"}));
}

TEST_F(EngineTest, AGarbageSenderAStalledDeviceAndAResettingDeviceDoNotDisturbTheOthers) {
  EngineOptions o;
  o.workers = 3;
  start(o);
  TestDevice good_a, good_b, garbage, stalled, resetting;
  for (auto [name, peer] : {std::pair{"good_a", &good_a}, std::pair{"good_b", &good_b}, std::pair{"garbage", &garbage},
                            std::pair{"resetting", &resetting}}) {
    DeviceConfig c = device(name, *peer);
    c.heartbeat_interval_ms = 1'000'000;  // the stall below is the only timer that matters
    c.stall_timeout_ms = 1'000'000;
    connect_ready(name, *peer, &c);
  }
  DeviceConfig sc = device("stalled", stalled);
  sc.heartbeat_interval_ms = 1'000'000;
  sc.stall_timeout_ms = 2'000;
  connect_ready("stalled", stalled, &sc);

  const std::uint8_t junk[] = {0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  constexpr std::uint32_t kFrames = 2'000;
  for (std::uint32_t s = 0; s < kFrames; ++s) {
    good_a.telemetry(1, s);
    good_b.telemetry(4, s);
    if (s == 100) garbage.send_raw(junk);
    if (s == 200) resetting.reset();
    if (s == 300) advance(2'000);  // the stalled device has been silent for its limit
  }
  ASSERT_TRUE(recorder.wait_telemetry("good_a", kFrames));
  ASSERT_TRUE(recorder.wait_telemetry("good_b", kFrames));
  ASSERT_TRUE(wait("protocol_error", "garbage"));
  ASSERT_TRUE(wait("peer_reset", "resetting"));
  ASSERT_TRUE(wait("stall_detected", "stalled"));
  for (const char* name : {"good_a", "good_b"}) {
    const auto got = recorder.telemetry_of(name);
    ASSERT_EQ(got.size(), kFrames) << name;
    for (std::uint32_t s = 0; s < kFrames; ++s) ASSERT_EQ(got[s].seq, s) << name;
    EXPECT_EQ(sink->count("telemetry_gap", name), 0u);
    EXPECT_EQ(sink->count("socket_closed", name), 0u);
    EXPECT_EQ(engine->state(name), SessionState::ready);
  }
}

}  // namespace
}  // namespace iocpsim::engine::testing
