// Judging a recorded run: each kind of expectation passes when met and fails with a message
// that says what was expected and what happened.
#include <gtest/gtest.h>

#include "iocpsim/scenario/expect.hpp"
#include "iocpsim/scenario/load.hpp"

namespace iocpsim::scenario {
namespace {

Scenario scenario_expecting(const std::string& expect, const std::string& extra = "") {
  return parse_scenario(R"({"name": "t", "description": "d", "tier": "smoke", "devices": [{"name": "a"}],)" + extra +
                            R"("expect": )" + expect + "}",
                        "t.json");
}

engine::Event event(std::int64_t t_ms, const std::string& name, const std::string& device,
                    nlohmann::json fields = nlohmann::json::object()) {
  return {t_ms, name, device, std::move(fields)};
}

// A clean run: connected, ready, then shut down politely with nothing leaked.
RunResult clean_run() {
  RunResult r;
  r.scenario = "t";
  r.shutdown_done = true;
  r.shutdown.drained_politely = true;
  r.events = {event(1, "connected", "a", {{"generation", 1}}),
              event(2, "session_ready", "a", {{"version", 1}}),
              event(3, "peer_closed", "a", {{"row", "R4"}}),
              event(4, "session_ready", "a", {{"version", 1}}),
              event(10, "shutdown_started", ""),
              event(11, "socket_closed", "a")};
  r.final_states["a"] = "ready";
  r.commands["a"]["ok"] = 2;
  r.device_records["a"] = {{"connections_accepted", 2}, {"received", {{"hello", 2}}}};
  r.sent["a"] = {{0, 1, 1000}, {0, 2, 2000}};
  r.delivered = {{"a", 0, 1}, {"a", 0, 2}};
  return r;
}

std::vector<std::string> unmet(const std::string& expect, const RunResult& run = clean_run()) {
  return unmet_expectations(scenario_expecting(expect), run);
}

TEST(Expectations, AllKindsPassWhenMet) {
  EXPECT_EQ(
      unmet(R"({"events": [{"event": "connected", "device": "a"}, {"event": "peer_closed", "fields": {"row": "R4"}}],
                      "never": [{"event": "peer_reset"}, {"event": "socket_closed", "phase": "run"}],
                      "final_state": {"a": "ready"},
                      "counters": {"a": {"session_ready": 2, "peer_reset": 0}, "": {"shutdown_started": 1}},
                      "commands": {"a": {"ok": {"min": 1, "max": 2}, "timeout": 0}},
                      "device": {"a": {"connections_accepted": {"min": 2}, "received": {"hello": 2, "bye": 0}}},
                      "shutdown": {"polite": true}})"),
      std::vector<std::string>{});
}

TEST(Expectations, EventsMustComeInOrder) {
  EXPECT_EQ(unmet(R"({"events": [{"event": "peer_closed"}, {"event": "connected"}]})"),
            std::vector<std::string>{"expect.events[1]: `connected` never came after expect.events[0] (matched at "
                                     "+3.000 ms); the nearest: +1.000 ms `connected` of a {\"generation\":1}"});
}

TEST(Expectations, EventFieldsMustMatch) {
  EXPECT_EQ(unmet(R"({"events": [{"event": "peer_closed", "device": "a", "fields": {"row": {"in": ["R5", "R5b"]}}}]})"),
            std::vector<std::string>{"expect.events[0]: `peer_closed` of a {row in [\"R5\",\"R5b\"]} never came; the "
                                     "nearest: +3.000 ms `peer_closed` of a {\"row\":\"R4\"}"});
}

TEST(Expectations, ANeverEventThatHappenedFails) {
  EXPECT_EQ(unmet(R"({"never": [{"event": "peer_closed", "fields": {"row": {"not": "R5"}}}]})"),
            std::vector<std::string>{"expect.never[0]: `peer_closed` {row != \"R5\"} must never happen, but did: "
                                     "+3.000 ms `peer_closed` of a {\"row\":\"R4\"}"});
}

TEST(Expectations, ANeverEventDuringShutdownSaysSo) {
  const auto u = unmet(R"({"never": [{"event": "socket_closed"}]})");
  ASSERT_EQ(u.size(), 1u);
  EXPECT_NE(u[0].find("(during the engine's shutdown; \"phase\": \"run\" looks at the run phase only)"),
            std::string::npos)
      << u[0];
}

TEST(Expectations, APhaseLimitsWhereAnEventMayMatch) {
  EXPECT_EQ(unmet(R"({"events": [{"event": "socket_closed", "phase": "shutdown"}]})"), std::vector<std::string>{});
  EXPECT_EQ(unmet(R"({"events": [{"event": "socket_closed", "phase": "run"}]})").size(), 1u);
}

TEST(Expectations, TheFinalStateMustMatch) {
  EXPECT_EQ(unmet(R"({"final_state": {"a": "backoff"}})"),
            std::vector<std::string>{"expect.final_state.a: expected backoff, got ready"});
}

TEST(Expectations, ACounterOutOfRangeFails) {
  EXPECT_EQ(unmet(R"({"counters": {"a": {"session_ready": {"min": 3}, "socket_closed": 0}}})"),
            (std::vector<std::string>{
                "expect.counters.a.session_ready: expected >= 3, got 2",
                "expect.counters.a.socket_closed: expected = 0, got 1 (1 of them during the engine's shutdown)"}));
}

TEST(Expectations, CommandResultsMustMatch) {
  EXPECT_EQ(unmet(R"({"commands": {"a": {"timeout": 1}}})"),
            std::vector<std::string>{"expect.commands.a.timeout: expected = 1, got 0 (all results: {\"ok\":2})"});
}

TEST(Expectations, TheDeviceRecordMustMatch) {
  EXPECT_EQ(unmet(R"({"device": {"a": {"received": {"hello": 1}, "connections_accepted": {"max": 1}}}})"),
            (std::vector<std::string>{"expect.device.a.connections_accepted: expected <= 1, got 2",
                                      "expect.device.a.received.hello: expected = 1, got 2"}));
}

TEST(Expectations, AnImpoliteShutdownFailsWhenPolitenessIsExpected) {
  RunResult run = clean_run();
  run.shutdown.drained_politely = false;
  EXPECT_EQ(unmet(R"({"shutdown": {"polite": true}})", run),
            std::vector<std::string>{"expect.shutdown.polite: expected true, got false"});
}

TEST(Expectations, LeaksAlwaysFail) {
  RunResult run = clean_run();
  run.shutdown.leaked_op_contexts = 2;
  run.shim_held_packets = 1;
  EXPECT_EQ(unmet("{}", run),
            (std::vector<std::string>{"leaks: 2 op contexts and 0 connection contexts leaked at shutdown",
                                      "shim: 0 ops still tracked and 1 packets still held after shutdown"}));
}

TEST(Expectations, ASampleDeliveredTwiceFailsDelivery) {
  RunResult run = clean_run();
  run.delivered.push_back({"a", 0, 2});
  EXPECT_EQ(unmet("{}", run), std::vector<std::string>{"delivery: a channel 0 seq 2 was delivered 2 times"});
}

TEST(Expectations, SamplesOfAChannelDeliveredOutOfOrderFailDelivery) {
  RunResult run = clean_run();
  std::swap(run.delivered[0], run.delivered[1]);
  EXPECT_EQ(unmet("{}", run),
            std::vector<std::string>{
                "delivery: a channel 0 seq 1 was delivered after seq 2, which was sent after it (out of order)"});
  run.sent["a"].push_back({1, 1, 1500});  // another channel's order is its own
  run.delivered.insert(run.delivered.begin(), {"a", 1, 1});
  EXPECT_EQ(unmet("{}", run).size(), 1U);
  // The order that counts is the device's: a sequence that steps back, sent so, is in order.
  RunResult back = clean_run();
  std::swap(back.sent["a"][0], back.sent["a"][1]);
  std::swap(back.delivered[0], back.delivered[1]);
  EXPECT_EQ(unmet("{}", back), std::vector<std::string>{});
}

TEST(Expectations, ASampleDeliveredButNeverSentFailsDelivery) {
  RunResult run = clean_run();
  run.delivered.push_back({"a", 1, 7});
  EXPECT_EQ(unmet("{}", run), std::vector<std::string>{"delivery: a channel 1 seq 7 was delivered but never sent"});
}

TEST(Expectations, ASampleLostWithoutReportFailsDelivery) {
  RunResult run = clean_run();
  run.events.pop_back();  // no socket_closed at all
  run.delivered.pop_back();
  EXPECT_EQ(unmet("{}", run),
            std::vector<std::string>{"delivery: a channel 0 seq 2, sent at +2.000 ms, was neither delivered nor "
                                     "reported lost (no telemetry_gap covers it, no socket_closed followed)"});
}

TEST(Expectations, ASampleLostWithAGapOrAConnectionLossIsReported) {
  RunResult run = clean_run();
  run.events.pop_back();
  run.delivered.pop_back();
  run.events.push_back(event(5, "telemetry_gap", "a", {{"channel", 0}, {"expected", 2}, {"got", 3}}));
  EXPECT_EQ(unmet("{}", run), std::vector<std::string>{});
  run.events.pop_back();
  run.events.push_back(event(5, "socket_closed", "a"));
  EXPECT_EQ(unmet("{}", run), std::vector<std::string>{});
  EXPECT_EQ(unmet(R"({"delivery": false})", clean_run()), std::vector<std::string>{});
}

TEST(Expectations, ManyLostSamplesAreSummedUpAfterTheFirstTen) {
  RunResult run = clean_run();
  run.events.pop_back();
  run.delivered.clear();
  run.sent["a"].clear();
  for (std::uint32_t seq = 1; seq <= 25; ++seq) run.sent["a"].push_back({0, seq, 1000});
  const auto u = unmet("{}", run);
  ASSERT_EQ(u.size(), 11u);
  EXPECT_EQ(u.back(), "delivery: ... and 15 more samples");
}

TEST(Judge, APassingRunPasses) {
  RunResult run = clean_run();
  const Judgement j = judge(scenario_expecting("{}"), run);
  EXPECT_EQ(j.verdict, "pass");
  EXPECT_TRUE(j.passed);
  EXPECT_EQ(j.summary(), "pass");
  EXPECT_EQ(run.timeline.verdict, "pass");
}

TEST(Judge, ANegativeScenarioPassesWhenItFails) {
  RunResult run = clean_run();
  const Judgement j = judge(scenario_expecting(R"({"final_state": {"a": "stopped"}})", R"("verdict": "fail",)"), run);
  EXPECT_EQ(j.verdict, "fail");
  EXPECT_TRUE(j.passed);
  EXPECT_EQ(j.summary(), "pass (failed as expected: expect.final_state.a: expected stopped, got ready)");
  EXPECT_EQ(run.timeline.first_failure, "expect.final_state.a: expected stopped, got ready");
  EXPECT_EQ(run.timeline.verdict, "pass (failed as expected)");
}

TEST(Judge, ANegativeScenarioFailsWhenEverythingWasMet) {
  RunResult run = clean_run();
  const Judgement j = judge(scenario_expecting("{}", R"("verdict": "fail",)"), run);
  EXPECT_FALSE(j.passed);
  EXPECT_EQ(j.summary(), "fail: every expectation was met, but the scenario expects to fail");
  EXPECT_EQ(run.timeline.verdict, "fail (expected to fail)");
}

TEST(Judge, ARunThatCouldNotBeCarriedOutIsAnError) {
  RunResult run = clean_run();
  run.error = "bind: address in use";
  const Judgement j = judge(scenario_expecting("{}"), run);
  EXPECT_EQ(j.verdict, "error");
  EXPECT_FALSE(j.passed);
  EXPECT_EQ(j.summary(), "error: the run failed: bind: address in use");
}

TEST(Judge, ARunOverItsLimitIsATimeoutEvenForANegativeScenario) {
  RunResult run = clean_run();
  run.timed_out = true;
  run.duration_ms = 16000;
  const Judgement j = judge(scenario_expecting("{}", R"("verdict": "fail",)"), run);
  EXPECT_EQ(j.verdict, "timeout");
  EXPECT_FALSE(j.passed);
  EXPECT_EQ(j.first_failure, "the run took 16000 ms, over limit_ms 15000");
}

TEST(Expectations, ARunPhaseThatEndedBeforeItsUntilHeldFails) {
  RunResult run = clean_run();
  run.until_met = false;
  run.run_phase_end = "max_ms";
  const Scenario s = scenario_expecting(
      "{}", R"("run": {"until": [{"event": "session_ready", "device": "a", "count": 3}], "max_ms": 900},)");
  const auto problems = unmet_expectations(s, run);
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems.front(),
            "run.until: not met when the run phase ended at max_ms (900 ms): 3 x `session_ready` of a (seen 2); "
            "\"until_required\": false accepts that");
  const Scenario lenient = scenario_expecting(
      "{}", R"("run": {"until": [{"event": "session_ready", "count": 3}], "until_required": false},)");
  EXPECT_TRUE(unmet_expectations(lenient, run).empty());
  run.until_met = true;
  EXPECT_TRUE(unmet_expectations(s, run).empty());
}

}  // namespace
}  // namespace iocpsim::scenario

namespace iocpsim::scenario {
namespace {

// The run's timeline with one engine entry per event, as assemble_timeline() makes it.
void give_timeline(RunResult& run) {
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    TimelineEntry e;
    e.t_us = run.events[i].t_ms * 1000;
    e.what = run.events[i].name;
    e.device = run.events[i].device;
    e.event = static_cast<std::int64_t>(i);
    run.timeline.entries.push_back(e);
  }
}

TEST(Judge, MarksWhereEachExpectedEventMatchedWhereTheFirstFailedAndTheNearestCandidate) {
  RunResult run = clean_run();
  give_timeline(run);
  judge(scenario_expecting(
            R"({"events": [{"event": "connected"}, {"event": "session_ready", "fields": {"version": 2}}]})"),
        run);
  ASSERT_EQ(run.timeline.marks.size(), 3u);
  const TimelineMark& matched = run.timeline.marks[0];
  EXPECT_EQ(matched.kind, TimelineMark::Kind::matched);
  EXPECT_EQ(matched.path, "expect.events[0]");
  EXPECT_EQ(matched.entry, 0);  // connected
  const TimelineMark& failed = run.timeline.marks[1];
  EXPECT_EQ(failed.kind, TimelineMark::Kind::failed);
  EXPECT_EQ(failed.path, "expect.events[1]");
  EXPECT_EQ(failed.entry, 0) << "looked for in vain after the last match";
  const TimelineMark& nearest = run.timeline.marks[2];
  EXPECT_EQ(nearest.kind, TimelineMark::Kind::nearest);
  EXPECT_EQ(nearest.entry, 1);  // the first session_ready after it
  EXPECT_EQ(nearest.text, "fields.version: expected = 2, got 1");
}

TEST(Judge, MarksANeverThatHappenedAtItsEventAndAFailureWithNoEntryApart) {
  RunResult run = clean_run();
  give_timeline(run);
  judge(scenario_expecting(R"({"final_state": {"a": "stopped"}, "never": [{"event": "peer_closed"}]})"), run);
  ASSERT_EQ(run.timeline.marks.size(), 2u);
  EXPECT_EQ(run.timeline.marks[0].kind, TimelineMark::Kind::failed);
  EXPECT_EQ(run.timeline.marks[0].path, "expect.never[0]");
  EXPECT_EQ(run.timeline.marks[0].entry, 2) << "the peer_closed that broke it";
  EXPECT_EQ(run.timeline.marks[1].path, "expect.final_state.a");
  EXPECT_EQ(run.timeline.marks[1].entry, -1);
  EXPECT_EQ(run.timeline.first_failure.rfind("expect.never[0]: ", 0), 0u)
      << "the first failed mark is the first failure";
}

}  // namespace
}  // namespace iocpsim::scenario
