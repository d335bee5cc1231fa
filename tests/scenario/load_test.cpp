// Reading scenario files: a good file becomes the model; each kind of mistake gets one clear
// message naming the file, where, what was expected and what was found.
#include <gtest/gtest.h>

#if !defined(_WIN32)
#include <sys/stat.h>
#endif

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "iocpsim/devsim/action.hpp"
#include "iocpsim/devsim/json_reader.hpp"
#include "iocpsim/devsim/platform_limits.hpp"
#include "iocpsim/scenario/load.hpp"

namespace iocpsim::scenario {
namespace {

constexpr const char* kGood = R"({
  "$schema": "../schema.json",
  "name": "peer-fin-mid-frame",
  "description": "Half a frame, then a FIN.",
  "tags": ["fin"],
  "tier": "smoke",
  "rows": ["R4"],
  "seed": 7,
  "host": {"engine": {"workers": 1}, "defaults": {"backoff_initial_ms": 20},
           "devices": {"b": {"backoff_initial_ms": 30, "reconnect": false}}},
  "devices": [{"name": "a", "telemetry": {"rate_hz": 100}}, {"name": "b"}],
  "faults": [{"when": {"call": "WSARecv", "tag": "a", "nth": 2}, "outcome": "peer_fin"}],
  "actions": [{"at_ms": 10, "do": "command", "device": "a", "opcode": 1, "data": "0102", "count": 2},
              {"after": {"event": "session_ready", "device": "b"}, "do": "remove_device", "device": "b"}],
  "run": {"until": [{"event": "reconnect_scheduled", "device": "a", "count": 2}], "max_ms": 2000},
  "expect": {
    "events": [{"event": "peer_closed", "device": "a", "fields": {"row": "R4", "after_bye": {"in": [false]}}}],
    "never": [{"event": "peer_reset"}],
    "final_state": {"a": "ready"},
    "counters": {"a": {"session_ready": {"min": 2}}, "": {"engine_started": 1}},
    "commands": {"a": {"ok": 2}},
    "device": {"a": {"connections_accepted": {"min": 2}, "received": {"command": 2}}},
    "delivery": false,
    "shutdown": {"polite": true}
  }
})";

std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "s.json");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

// kGood with one piece of text replaced.
std::string good_with(const std::string& from, const std::string& to) {
  std::string text = kGood;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(LoadScenario, AGoodFileBecomesTheModel) {
  const Scenario s = parse_scenario(kGood, "s.json");
  EXPECT_EQ(s.name, "peer-fin-mid-frame");
  EXPECT_EQ(s.tier, "smoke");
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.engine.workers, 1u);
  ASSERT_EQ(s.hosts.size(), 2u);
  EXPECT_EQ(s.hosts[0].backoff_initial_ms, 20u);
  EXPECT_EQ(s.hosts[1].backoff_initial_ms, 30u);
  EXPECT_FALSE(s.hosts[1].reconnect);
  ASSERT_EQ(s.faults.size(), 1u);
  EXPECT_EQ(s.faults[0].when.tag, "a");
  ASSERT_EQ(s.actions.size(), 2u);
  EXPECT_EQ(s.actions[0].count, 2u);
  EXPECT_EQ(s.actions[0].data, (std::vector<std::uint8_t>{1, 2}));
  EXPECT_EQ(s.actions[1].after->event, "session_ready");
  EXPECT_EQ(s.run.until[0].count, 2u);
  EXPECT_EQ(s.expect.events[0].describe(), "`peer_closed` of a {after_bye in [false], row = \"R4\"}");
  EXPECT_EQ(s.expect.device.at("a")[1].key, "received.command");
  EXPECT_FALSE(s.expect.delivery);
  EXPECT_EQ(s.expect.shutdown_polite, true);
  EXPECT_EQ(s.expected_verdict, "pass");
}

// A step the host's real sockets cannot carry out here (a withheld handshake needs Linux) does not
// make the file unplayable: the loader records it, a real run skips the file with that reason, and
// the simulated world plays it.
TEST(LoadScenario, AStepTheRealSocketsCannotDoHereIsRecordedNotRefused) {
  const Scenario s = parse_scenario(R"({"name": "withheld", "tier": "smoke", "description": "d",
    "devices": [{"name": "a", "script": [{"step": "never_accept", "handshake": "withheld"}]}], "expect": {}})",
                                    "s.json");
  if (devsim::handshake_withholding_supported()) {
    EXPECT_FALSE(s.not_real_here.has_value());
  } else {
    ASSERT_TRUE(s.not_real_here.has_value());
    EXPECT_NE(s.not_real_here->find("devices[0].script[0].handshake"), std::string::npos) << *s.not_real_here;
    EXPECT_NE(s.not_real_here->find("withheld"), std::string::npos) << *s.not_real_here;
  }
  ASSERT_EQ(s.devices.size(), 1U);
}

// Read on its own (the device-sim program), the same step is refused where it cannot be done.
TEST(LoadScenario, OutsideTheLoaderAPlatformLimitIsThrown) {
  if (devsim::handshake_withholding_supported()) GTEST_SKIP() << "this platform withholds handshakes";
  EXPECT_THROW(devsim::unsupported_here("x", "why"), devsim::UnsupportedHere);
  const devsim::RealWorldLimits scope;
  EXPECT_NO_THROW(devsim::unsupported_here("x", "why"));
  ASSERT_TRUE(scope.first().has_value());
}

TEST(LoadScenario, BadJsonSyntaxIsReportedWithLineAndColumn) {
  EXPECT_EQ(error_of("{\n  \"name\": \"x\",\n  \"tier\" \"smoke\"\n}"),
            "s.json:3:16: syntax error while parsing object separator - unexpected string literal; expected ':'");
}

TEST(LoadScenario, ReferencesAreLinksToPublicReports) {
  const Scenario s = parse_scenario(
      good_with(
          "\"tags\": [\"fin\"],",
          "\"tags\": [\"fin\", \"field-bug\"], \"references\": [\"https://github.com/libuv/libuv/issues/3036\"],"),
      "s.json");
  EXPECT_EQ(s.references, std::vector<std::string>{"https://github.com/libuv/libuv/issues/3036"});
  EXPECT_EQ(error_of(good_with("\"tags\": [\"fin\"],", "\"references\": [\"libuv#3036\"],")),
            "s.json: references[0]: expected a link to a public report, https://…, got \"libuv#3036\"");
}

TEST(LoadScenario, AMissingNameIsRequired) {
  EXPECT_EQ(error_of(good_with("\"name\": \"peer-fin-mid-frame\",", "")), "s.json: name: is required (a string)");
}

TEST(LoadScenario, ANameMustBeLowerCaseWords) {
  EXPECT_EQ(error_of(good_with("peer-fin-mid-frame", "Peer Fin")),
            "s.json: name: expected lower-case letters, digits and '-', got \"Peer Fin\"");
}

TEST(LoadScenario, AnUnknownTierSuggestsTheNearestOne) {
  EXPECT_EQ(
      error_of(good_with("\"smoke\"", "\"smok\"")),
      "s.json: tier: expected one of \"smoke\", \"regression\", \"soak\", got \"smok\" (did you mean \"smoke\"?)");
}

TEST(LoadScenario, AMisspeltKeySaysDidYouMean) {
  const std::string e = error_of(good_with("\"final_state\"", "\"final_sate\""));
  EXPECT_EQ(e, "s.json: expect.final_sate: unknown key; did you mean \"final_state\"?");
}

TEST(LoadScenario, AMisspeltTopLevelKeySaysDidYouMean) {
  const std::string e = error_of(good_with("\"faults\"", "\"fautls\""));
  EXPECT_EQ(e, "s.json: fautls: unknown key; did you mean \"faults\"?");
}

TEST(LoadScenario, ABadDeviceStepNamesItsPath) {
  const std::string e = error_of(good_with("{\"name\": \"b\"}", R"({"name": "b", "script": [{"step": "sned"}]})"));
  EXPECT_EQ(e.rfind("s.json: devices[1].script[0].step: ", 0), 0u) << e;
  EXPECT_NE(e.find("did you mean \"send\"?"), std::string::npos) << e;
}

TEST(LoadScenario, ABadFaultRuleNamesItsPath) {
  EXPECT_EQ(error_of(good_with("\"nth\": 2", "\"nth\": 0")),
            "s.json: faults[0].when.nth: expected a positive integer, got 0");
}

TEST(LoadScenario, AFaultOnAnUnknownDeviceIsRejected) {
  EXPECT_EQ(error_of(good_with("\"tag\": \"a\"", "\"tag\": \"c\"")),
            "s.json: faults[0].when.tag: expected the name of a device in \"devices\" (\"a\", \"b\"), got \"c\"");
}

TEST(LoadScenario, AnActionOnAnUnknownDeviceSuggestsTheNearest) {
  EXPECT_EQ(error_of(good_with("\"do\": \"remove_device\", \"device\": \"b\"",
                               "\"do\": \"remove_device\", \"device\": \"bb\"")),
            "s.json: actions[1].device: expected the name of a device in \"devices\" (\"a\", \"b\"), got \"bb\" (did "
            "you mean \"b\"?)");
}

TEST(LoadScenario, AnExpectationOnAnUnknownDeviceIsRejected) {
  EXPECT_EQ(error_of(good_with("\"final_state\": {\"a\"", "\"final_state\": {\"x\"")),
            "s.json: expect.final_state.x: expected the name of a device in \"devices\" (\"a\", \"b\"), got \"x\"");
}

TEST(LoadScenario, AnUnknownEventNameSuggestsTheNearest) {
  EXPECT_EQ(error_of(good_with("\"event\": \"peer_reset\"", "\"event\": \"peer_rest\"")),
            "s.json: expect.never[0].event: expected an engine event name (host/engine/EVENTS.md), got \"peer_rest\" "
            "(did you mean \"peer_reset\"?)");
}

TEST(LoadScenario, AnUnknownCounterNameSuggestsTheNearest) {
  const std::string e = error_of(good_with("\"session_ready\": {\"min\"", "\"sesion_ready\": {\"min\""));
  EXPECT_EQ(e.substr(e.find(", got")), ", got \"sesion_ready\" (did you mean \"session_ready\"?)");
  EXPECT_EQ(e.rfind("s.json: expect.counters.a.sesion_ready: expected event name (", 0), 0u) << e;
}

TEST(LoadScenario, AMatcherWithAnUnknownKeySaysDidYouMean) {
  const std::string e = error_of(good_with("{\"in\": [false]}", "{\"in\": [false], \"mni\": 1}"));
  EXPECT_EQ(e, "s.json: expect.events[0].fields.after_bye.mni: unknown key; did you mean \"min\"?");
}

TEST(LoadScenario, AMatcherMustBeALiteralOrAnObject) {
  EXPECT_EQ(error_of(good_with("\"row\": \"R4\"", "\"row\": [\"R4\"]")),
            "s.json: expect.events[0].fields.row: expected a literal (number, string, true/false) or a matcher "
            "object with \"min\", \"max\", \"in\", \"not\", \"exists\", got [\"R4\"]");
}

TEST(LoadScenario, ADuplicateDeviceNameIsRejected) {
  // Every mistake is reported: the duplicate, and then each place that names the lost "b".
  EXPECT_EQ(error_of(good_with("{\"name\": \"b\"}", "{\"name\": \"a\"}")),
            "s.json: devices[1].name: expected a unique device name, got \"a\" a second time\n"
            "s.json: host.devices.b: expected the name of a device in \"devices\" (\"a\"), got \"b\"\n"
            "s.json: actions[1].after.device: expected the name of a device in \"devices\" (\"a\"), got \"b\"");
}

TEST(LoadScenario, AListenAddressMustBeAnIPv4AddressAndPort) {
  EXPECT_EQ(
      error_of(good_with("{\"name\": \"b\"}", "{\"name\": \"b\", \"listen\": \"localhost:99999\"}")),
      "s.json: devices[1].listen: expected an IPv4 address and port like \"127.0.0.1:0\", got \"localhost:99999\"");
}

TEST(LoadScenario, AValueOfTheWrongTypeSaysWhatItGot) {
  EXPECT_EQ(error_of(good_with("\"delivery\": false", "\"delivery\": \"no\"")),
            "s.json: expect.delivery: expected true or false, got \"no\"");
}

TEST(LoadScenario, SkipOnSuccessTakesItsThreeNamesOrABoolean) {
  const auto skip_of = [](const std::string& value) {
    return parse_scenario(
               good_with("\"workers\": 1}", "\"workers\": 1, \"skip_completion_port_on_success\": " + value + "}"),
               "s.json")
        .engine.skip_completion_port_on_success;
  };
  EXPECT_EQ(parse_scenario(kGood, "s.json").engine.skip_completion_port_on_success,
            engine::CompletionSkip::if_honoured);
  EXPECT_EQ(skip_of("\"never\""), engine::CompletionSkip::never);
  EXPECT_EQ(skip_of("\"always\""), engine::CompletionSkip::always);
  EXPECT_EQ(skip_of("false"), engine::CompletionSkip::never);
  EXPECT_EQ(skip_of("true"), engine::CompletionSkip::always);
  EXPECT_EQ(
      error_of(good_with("\"workers\": 1}", "\"workers\": 1, \"skip_completion_port_on_success\": \"sometimes\"}")),
      "s.json: host.engine.skip_completion_port_on_success: expected \"never\", \"always\", "
      "\"if_honoured\", true or false, got \"sometimes\"");
}

TEST(LoadScenario, HostOptionsAreReadByTheEnginesTableUnderTheirNamesOrTheirOldOnes) {
  std::string text = good_with("\"workers\": 1}", "\"workers\": 1, \"host_id\": \"h-2\", \"max_frame_bytes\": 4096}");
  text.replace(text.find("\"b\": {\"backoff_initial_ms\": 30"), 6,
               "\"a\": {\"send_queue_bytes_max\": 8192, \"max_version\": 2, \"heartbeat_interval_min_ms\": 5}, "
               "\"b\": {\"version_max\": 3, ");
  const Scenario s = parse_scenario(text, "s.json");
  EXPECT_EQ(s.engine.host_id, "h-2");
  EXPECT_EQ(s.engine.frame_max_bytes, 4096u);
  EXPECT_EQ(s.hosts[0].send_queue_max_bytes, 8192u);
  EXPECT_EQ(s.hosts[0].version_max, 2);
  EXPECT_EQ(s.hosts[0].heartbeat_interval_min_ms, 5u);
  EXPECT_EQ(s.hosts[1].version_max, 3);
  EXPECT_EQ(
      error_of(good_with("\"workers\": 1}", "\"workers\": 1, \"frame_max_bytes\": 100, \"sede\": 1}")),
      "s.json: host.engine.frame_max_bytes: expected an integer from 256 to 16777216, got 100\n"
      "s.json: host.engine.sede: unknown key; known keys: workers, dequeue_batch, skip_completion_port_on_success, "
      "host_id, shutdown_timeout_ms, drain_ceiling_ms, frame_max_bytes, receive_buffer_bytes, event_burst_max, "
      "event_window_ms, devices_max");
}

// tests/scenario/data/old-names holds library files as they were before the limits were renamed
// (max_frame_bytes, send_queue_bytes_max, min_version and max_version): each loads as its renamed
// copy in scenarios/ does.
TEST(LoadScenario, AFileWithTheOldNamesOfRenamedKeysLoadsAsItsRenamedCopy) {
  const std::string old_dir = IOCPSIM_OLD_NAMES_DIR;
  const std::string library = IOCPSIM_SCENARIOS_DIR;
  const Scenario old_frame = load_scenario(old_dir + "/oversize-length-rejected-from-header.json");
  const Scenario frame = load_scenario(library + "/framing/oversize-length-rejected-from-header.json");
  EXPECT_EQ(old_frame.engine.frame_max_bytes, frame.engine.frame_max_bytes);
  EXPECT_EQ(frame.engine.frame_max_bytes, 65536u);
  const Scenario old_queue = load_scenario(old_dir + "/send-queue-full.json");
  const Scenario queue = load_scenario(library + "/send/send-queue-full.json");
  EXPECT_EQ(old_queue.hosts[0].send_queue_max_bytes, queue.hosts[0].send_queue_max_bytes);
  EXPECT_EQ(queue.hosts[0].send_queue_max_bytes, 300u);
  const Scenario old_version = load_scenario(old_dir + "/device-rejects-host-version.json");
  const Scenario version = load_scenario(library + "/connect/device-rejects-host-version.json");
  EXPECT_EQ(old_version.hosts[0].version_min, version.hosts[0].version_min);
  EXPECT_EQ(old_version.hosts[0].version_max, version.hosts[0].version_max);
  EXPECT_EQ(version.hosts[0].version_max, 2);
}

TEST(LoadScenario, ANegativeNumberIsRejected) {
  EXPECT_EQ(error_of(good_with("\"max_ms\": 2000", "\"max_ms\": -5")),
            "s.json: run.max_ms: expected an integer from 0 to 3600000, got -5");
}

TEST(LoadScenario, AnActionNeedsExactlyOneOfAtAndAfter) {
  EXPECT_EQ(error_of(good_with("{\"at_ms\": 10, ", "{")),
            "s.json: actions[0]: expected exactly one of \"at_ms\" and \"after\", got neither");
}

TEST(LoadScenario, AnUnknownFinalStateSuggestsTheNearest) {
  EXPECT_EQ(error_of(good_with("\"a\": \"ready\"", "\"a\": \"redy\"")),
            "s.json: expect.final_state.a: expected one of \"backoff\", \"connecting\", \"handshaking\", \"ready\", "
            "\"closing\", \"stopped\", got \"redy\" (did you mean \"ready\"?)");
}

TEST(LoadScenario, AnUnknownCommandResultIsRejected) {
  const std::string e = error_of(good_with("\"commands\": {\"a\": {\"ok\"", "\"commands\": {\"a\": {\"okay\""));
  EXPECT_EQ(e.substr(e.find(", got")), ", got \"okay\" (did you mean \"ok\"?)");
}

TEST(LoadScenario, AMissingFileSaysItCannotBeRead) {
  try {
    load_scenario("/nonexistent/x.json");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/x.json: cannot be read (No such file or directory)");
  }
}

TEST(LoadScenario, TheExpectedVerdictMayBeFail) {
  const Scenario s = parse_scenario(good_with("\"expect\": {", "\"verdict\": \"fail\", \"expect\": {"), "s.json");
  EXPECT_EQ(s.expected_verdict, "fail");
}

// --- Hostile files: each mistake is a message, never a crash, a hang or unbounded memory. ---

constexpr const char* kSmall = R"("name": "x", "description": "d", "tier": "smoke", "devices": [{"name": "a"}])";

std::string small_with(const std::string& more) { return std::string("{") + kSmall + more + "}"; }

TEST(LoadScenario, ANumberThatOverflowsADoubleIsAMessageWithLineAndColumn) {
  EXPECT_EQ(error_of(small_with(",\n\"run\": {\"max_ms\": 1e999}, \"expect\": {}")),
            "s.json:2:23: number 1e999 is out of range (a JSON number here must fit a double, at most about 1.8e308)");
}

TEST(LoadScenario, ADuplicateKeyIsRejectedWithLineAndColumn) {
  EXPECT_EQ(error_of(small_with(", \"expect\": {},\n\"expect\": {}")),
            "s.json:2:1: duplicate key \"expect\" in this object (each key may appear once)");
}

TEST(LoadScenario, NestingDeeperThanTheLimitIsRejectedNotRecursedInto) {
  // A valid script of thousands of nested repeats used to overflow the stack while it was read.
  std::string step = R"({"step": "wait", "ms": 1})";
  for (int i = 0; i < 5000; ++i) step = R"({"step": "repeat", "times": 1, "steps": [)" + step + "]}";
  const std::string e =
      error_of(R"({"name": "x", "description": "d", "tier": "smoke", "devices": [{"name": "a", "script": [)" + step +
               R"(]}], "expect": {}})");
  EXPECT_NE(e.find("nested deeper than 64 levels of objects and arrays"), std::string::npos) << e;
  EXPECT_EQ(e.rfind("s.json:1:", 0), 0u) << e;
}

TEST(LoadScenario, ADeepValueOfTheWrongTypeIsShownShortened) {
  nlohmann::json deep = 1;
  for (int i = 0; i < 30000; ++i) deep = nlohmann::json::array({std::move(deep)});
  nlohmann::json document = nlohmann::json::parse(small_with(", \"expect\": {}"));
  document["run"] = {{"max_ms", std::move(deep)}};
  try {
    parse_scenario_json(document, "s.json");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, 60), "s.json: run.max_ms: expected an integer from 0 to 3600000, g");
    EXPECT_LT(std::string(e.what()).size(), 200u);
  }
  for (int i = 0; i < 30000; ++i) {
    nlohmann::json inner = std::move(document["run"]["max_ms"][0]);
    document["run"]["max_ms"] = std::move(inner);  // unwound here, so the destructor does not recurse either
  }
}

TEST(LoadScenario, AUtf16FileIsNamedAsSuch) {
  const std::string text("\xFF\xFE{\0\"\0", 6);
  EXPECT_EQ(error_of(text), "s.json: is encoded as UTF-16 (little-endian); save it as UTF-8");
  EXPECT_EQ(error_of(std::string("{\0\"\0n\0", 6)),
            "s.json: is encoded as UTF-16 (little-endian, no byte-order mark); save it as UTF-8");
}

TEST(LoadScenario, ADeviceOrAFifoIsRefusedBeforeAnythingIsRead) {
  const auto error_loading = [](const std::string& path) -> std::string {
    try {
      load_scenario(path);
    } catch (const ScenarioError& e) {
      return e.what();
    }
    return "(no error)";
  };
#if !defined(_WIN32)  // POSIX devices and FIFOs; the size limit below holds everywhere
  EXPECT_EQ(error_loading("/dev/zero"),
            "/dev/zero: is not a regular file (a device, FIFO or socket cannot be read as a document)");
  const std::string fifo = ::testing::TempDir() + "/load_test_fifo.json";
  std::remove(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(error_loading(fifo),
            fifo + ": is not a regular file (a device, FIFO or socket cannot be read as a document)");
  std::remove(fifo.c_str());
#endif
  const std::string big = ::testing::TempDir() + "/load_test_big.json";
  std::ofstream(big) << std::string((4u << 20) + 1, ' ');
  EXPECT_EQ(error_loading(big), big + ": is 4194305 bytes; the limit is 4194304 bytes");
  std::remove(big.c_str());
}

TEST(LoadScenario, AMisspeltRequiredKeyIsNamedWithItsSuggestionNotCalledMissing) {
  EXPECT_EQ(error_of(R"({"name": "x", "description": "d", "tier": "smoke", "devics": [{"name": "a"}], "expect": {}})"),
            "s.json: devics: unknown key; did you mean \"devices\"?");
  EXPECT_EQ(error_of(R"({"name": "x", "description": "d", "tier": "smoke", "Devices": [{"name": "a"}], "expect": {}})"),
            "s.json: Devices: unknown key; did you mean \"devices\"?");
  EXPECT_EQ(error_of(small_with(", \"exepct\": {}")), "s.json: exepct: unknown key; did you mean \"expect\"?");
}

TEST(LoadScenario, MinusZeroIsZero) {
  const Scenario s = parse_scenario(small_with(", \"run\": {\"settle_ms\": -0}, \"expect\": {}"), "s.json");
  EXPECT_EQ(s.run.settle_ms, 0u);
}

TEST(LoadScenario, ABackoffThatStartsAboveItsMaximumIsRejected) {
  EXPECT_EQ(error_of(small_with(
                R"(, "host": {"defaults": {"backoff_initial_ms": 5000, "backoff_max_ms": 1000}}, "expect": {})")),
            "s.json: host.defaults.backoff_initial_ms: expected at most backoff_max_ms (1000), got 5000");
  EXPECT_EQ(error_of(small_with(R"(, "host": {"devices": {"a": {"backoff_max_ms": 50}}}, "expect": {})")),
            "s.json: host.devices.a.backoff_max_ms: expected at least backoff_initial_ms (100), got 50");
}

TEST(LoadScenario, AMatcherFieldMustBeOneTheEventCarries) {
  EXPECT_EQ(error_of(small_with(R"(, "expect": {"events": [{"event": "peer_closed", "fields": {"rwo": "R4"}}]})")),
            "s.json: expect.events[0].fields.rwo: expected a field of `peer_closed` (\"row\", \"after_bye\", "
            "\"send_in_flight\"; "
            "host/engine/EVENTS.md), got \"rwo\" (did you mean \"row\"?)");
  EXPECT_NO_THROW(parse_scenario(
      small_with(R"(, "expect": {"never": [{"event": "peer_closed", "fields": {"device": "a"}}]})"), "s.json"));
}

TEST(LoadScenario, ACounterThatCanNeverBeMetIsRejected) {
  EXPECT_EQ(error_of(small_with(R"(, "expect": {"counters": {"a": {"session_ready": -5}}})")),
            "s.json: expect.counters.a.session_ready: expected a count: a whole number from 0, or a matcher of counts "
            "(a count is a "
            "whole number from 0), got -5");
  EXPECT_NE(error_of(small_with(R"(, "expect": {"counters": {"a": {"session_ready": "3"}}})")).find("got \"3\""),
            std::string::npos);
  EXPECT_NE(error_of(small_with(R"(, "expect": {"commands": {"a": {"ok": {"max": -1}}}})"))
                .find("max below 0 can never be met"),
            std::string::npos);
}

TEST(LoadScenario, EveryMistakeOfAFileIsReportedUpToACap) {
  const std::string e = error_of(R"({"name": "X", "description": 1, "tier": "smok", "devices": [{"name": "a"}],
    "run": {"max_ms": "3s"}, "expect": {"final_state": {"a": "redy"}}, "extra": 1})");
  EXPECT_EQ(
      e,
      "s.json: name: expected lower-case letters, digits and '-', got \"X\"\n"
      "s.json: description: expected a string, got 1\n"
      "s.json: tier: expected one of \"smoke\", \"regression\", \"soak\", got \"smok\" (did you mean \"smoke\"?)\n"
      "s.json: run.max_ms: expected an integer from 0 to 3600000, got \"3s\"\n"
      "s.json: expect.final_state.a: expected one of \"backoff\", \"connecting\", \"handshaking\", \"ready\", "
      "\"closing\", "
      "\"stopped\", got \"redy\" (did you mean \"ready\"?)\n"
      "s.json: extra: unknown key; known keys: $schema, name, description, tags, references, real_only, tier, rows, "
      "seed, "
      "limit_ms, devices, host, "
      "faults, actions, run, expect, verdict");
  std::string many =
      R"({"name": "x", "description": "d", "tier": "smoke", "devices": [{"name": "a"}], "expect": {"events": [)";
  for (int i = 0; i < 30; ++i) many += std::string(i ? "," : "") + R"({"event": "nope"})";
  const std::string capped = error_of(many + "]}}");
  EXPECT_EQ(std::count(capped.begin(), capped.end(), '\n'), 20);
  EXPECT_NE(capped.find("s.json: ... and 10 more mistakes (only the first 20 are shown)"), std::string::npos) << capped;
}

TEST(LoadScenario, UntilRequiredGoesOnlyWithUntil) {
  EXPECT_EQ(error_of(small_with(R"(, "run": {"until_required": false}, "expect": {})")),
            "s.json: run.until_required: is allowed only beside \"until\", which this run does not have");
  const Scenario s = parse_scenario(
      small_with(R"(, "run": {"until": [{"event": "session_ready"}], "until_required": false}, "expect": {})"),
      "s.json");
  EXPECT_FALSE(s.run.until_required);
}

}  // namespace
}  // namespace iocpsim::scenario
