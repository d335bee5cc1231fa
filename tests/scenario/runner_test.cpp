// Running scenarios for real: the engine under the shim against device-sim devices on loopback.
// Every run ends on events (run.until), never on a sleep; max_ms values are generous ceilings.
#include <gtest/gtest.h>

#include <algorithm>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "iocpsim/scenario/expect.hpp"
#include "iocpsim/scenario/load.hpp"
#include "iocpsim/scenario/runner.hpp"

namespace iocpsim::scenario {
namespace {

Scenario scenario(const std::string& body) {
  return parse_scenario(R"({"name": "t", "description": "d", "tier": "smoke", )" + body + "}", "t.json");
}

std::size_t count(const RunResult& r, const std::string& name, const std::string& device) {
  return static_cast<std::size_t>(r.counter(device, name));
}

bool has_entry(const Timeline& t, TimelineEntry::Source source, const std::string& device, const std::string& what) {
  return std::any_of(t.entries.begin(), t.entries.end(), [&](const TimelineEntry& e) {
    return e.source == source && e.device == device && e.what == what;
  });
}

TEST(RunScenario, AFaithfulDeviceIsServedAndEverythingIsRecorded) {
  const Scenario s = scenario(R"(
    "devices": [{"name": "a", "telemetry": {"rate_hz": 500}, "commands": [{"opcode": 1, "echo": true}]}],
    "actions": [{"after": {"event": "session_ready", "device": "a"}, "do": "command", "device": "a", "opcode": 1, "count": 2}],
    "run": {"until": [{"event": "command_completed", "device": "a", "count": 2}], "max_ms": 20000, "settle_ms": 20},
    "expect": {})");
  RunResult r = run_scenario(s, RunOptions{5});
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.seed, 5u);
  EXPECT_EQ(r.final_states.at("a"), "ready");
  EXPECT_EQ(r.commands["a"]["ok"], 2u);
  EXPECT_EQ(count(r, "shutdown_drained", ""), 1u);
  EXPECT_EQ(r.event_times_us.size(), r.events.size());
  EXPECT_EQ(r.device_records.at("a").at("received").at("command"), 2);
  EXPECT_TRUE(r.shutdown_done);
  const Judgement j = judge(s, r);
  EXPECT_EQ(j.verdict, "pass") << j.first_failure << "\n" << r.timeline.to_text();
  EXPECT_TRUE(has_entry(r.timeline, TimelineEntry::Source::engine, "a", "session_ready"));
  EXPECT_TRUE(has_entry(r.timeline, TimelineEntry::Source::device, "a", "frame_sent"));
  EXPECT_TRUE(has_entry(r.timeline, TimelineEntry::Source::shim, "a", "ConnectEx"));
  EXPECT_TRUE(has_entry(r.timeline, TimelineEntry::Source::runner, "a", "command"));
  EXPECT_TRUE(std::is_sorted(r.timeline.entries.begin(), r.timeline.entries.end(),
                             [](const auto& x, const auto& y) { return x.t_us < y.t_us; }));
}

TEST(RunScenario, AFaultRuleTaggedWithADeviceHitsOnlyThatDevice) {
  const Scenario s = scenario(R"(
    "devices": [{"name": "a"}, {"name": "b"}],
    "host": {"defaults": {"backoff_initial_ms": 10, "backoff_jitter": 0}},
    "faults": [{"when": {"call": "WSARecv", "tag": "b", "nth": 2}, "outcome": "peer_reset"}],
    "run": {"until": [{"event": "session_ready", "device": "b", "count": 2}, {"event": "session_ready", "device": "a"}],
            "max_ms": 20000, "settle_ms": 0},
    "expect": {})");
  RunResult r = run_scenario(s);
  EXPECT_EQ(r.seed, kDefaultSeed);
  EXPECT_EQ(count(r, "peer_reset", "b"), 1u);
  EXPECT_EQ(count(r, "peer_reset", "a"), 0u);
  const auto fault = std::find_if(r.timeline.entries.begin(), r.timeline.entries.end(), [](const TimelineEntry& e) {
    return e.source == TimelineEntry::Source::shim && e.fault;
  });
  ASSERT_NE(fault, r.timeline.entries.end());
  EXPECT_EQ(fault->device, "b");
  EXPECT_EQ(judge(s, r).verdict, "pass") << r.timeline.to_text();
}

TEST(RunScenario, AShutdownActionEndsTheRunPhase) {
  const Scenario s = scenario(R"(
    "devices": [{"name": "a"}],
    "actions": [{"after": {"event": "session_ready", "device": "a"}, "do": "shutdown"}],
    "run": {"max_ms": 60000},
    "expect": {})");
  const RunResult r = run_scenario(s);
  EXPECT_LT(r.duration_ms, 30000);
  EXPECT_EQ(r.final_states.at("a"), "ready");
}

TEST(RunScenario, ARemovedDeviceEndsStopped) {
  const Scenario s = scenario(R"(
    "devices": [{"name": "a"}],
    "actions": [{"after": {"event": "session_ready", "device": "a"}, "do": "remove_device", "device": "a"}],
    "run": {"until": [{"event": "connection_released", "device": "a"}], "max_ms": 20000, "settle_ms": 0},
    "expect": {})");
  const RunResult r = run_scenario(s);
  EXPECT_EQ(r.final_states.at("a"), "stopped");
  EXPECT_EQ(count(r, "device_removed", "a"), 1u);
}

TEST(RunScenario, ARunThatReachesItsLimitIsATimeoutAndKeepsWhatItSaw) {
  const Scenario s = scenario(R"(
    "limit_ms": 100,
    "devices": [{"name": "a"}],
    "run": {"until": [{"event": "peer_reset", "device": "a"}], "max_ms": 60000},
    "expect": {})");
  RunResult r = run_scenario(s);
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(r.shutdown_done);
  EXPECT_EQ(count(r, "device_added", "a"), 1u);
  const Judgement j = judge(s, r);
  EXPECT_EQ(j.verdict, "timeout");
  EXPECT_EQ(j.first_failure.rfind("the run took ", 0), 0u) << j.first_failure;
}

TEST(RunScenario, APortThatCannotBeBoundMakesAnErrorVerdict) {
  asio::io_context io;
  asio::ip::tcp::acceptor taken(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::string port = std::to_string(taken.local_endpoint().port());
  const Scenario s = scenario(R"("devices": [{"name": "a", "listen": "127.0.0.1:)" + port + R"("}], "expect": {})");
  RunResult r = run_scenario(s);
  EXPECT_NE(r.error, "");
  EXPECT_FALSE(r.shutdown_done);
  EXPECT_EQ(judge(s, r).verdict, "error");
}

TEST(RunScenario, AScriptLoopThatNeverWaitsStillEndsAtMaxMsWithBoundedLogs) {
  // Four billion zero waits: the device's thread is given back every few rounds, so the run phase
  // ends at its max_ms and the engine's shutdown and the devices' stop get through.
  const Scenario s = scenario(R"(
    "limit_ms": 20000,
    "devices": [{"name": "a", "script": [{"step": "repeat", "times": 4000000000, "steps": [{"step": "wait", "ms": 0}]}]}],
    "run": {"max_ms": 200},
    "expect": {})");
  RunResult r = run_scenario(s);
  EXPECT_EQ(r.error, "");
  EXPECT_FALSE(r.timed_out) << r.duration_ms << " ms";
  EXPECT_EQ(r.run_phase_end, "max_ms");
  EXPECT_TRUE(r.shutdown_done);
  EXPECT_LE(std::count_if(r.timeline.entries.begin(), r.timeline.entries.end(),
                          [](const TimelineEntry& e) { return e.source == TimelineEntry::Source::device; }),
            50'000);
}

TEST(RunScenario, RecordsWhetherTheUntilHeldWhenTheRunPhaseEnded) {
  const Scenario met = scenario(R"("devices": [{"name": "a"}],
    "run": {"until": [{"event": "session_ready", "device": "a"}], "max_ms": 20000, "settle_ms": 0}, "expect": {})");
  RunResult r = run_scenario(met);
  EXPECT_EQ(r.run_phase_end, "until");
  ASSERT_TRUE(r.until_met.has_value());
  EXPECT_TRUE(*r.until_met);
  const Scenario unmet = scenario(R"("devices": [{"name": "a"}],
    "actions": [{"after": {"event": "session_ready", "device": "a"}, "do": "shutdown"}],
    "run": {"until": [{"event": "session_ready", "device": "a", "count": 2}], "max_ms": 20000}, "expect": {})");
  RunResult u = run_scenario(unmet);
  EXPECT_EQ(u.run_phase_end, "shutdown action");
  ASSERT_TRUE(u.until_met.has_value());
  EXPECT_FALSE(*u.until_met);
  EXPECT_NE(judge(unmet, u).first_failure.find("run.until: not met when the run phase ended at shutdown action"),
            std::string::npos);
}

}  // namespace
}  // namespace iocpsim::scenario
