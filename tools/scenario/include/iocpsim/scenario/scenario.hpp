// A scenario file, parsed and checked (version 1): devices, host configuration, fault rules,
// actions, when the run ends, and what must be true afterwards. scenario-spec lives in
// scenarios/README.md; load.hpp reads a file into this model.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "iocpsim/devsim/spec.hpp"
#include "iocpsim/engine/engine.hpp"
#include "iocpsim/iocp/fault_rules.hpp"

namespace iocpsim::scenario {

// One value check: a literal means equal; otherwise every given bound must hold.
struct Matcher {
  std::optional<nlohmann::json> equals;
  std::optional<double> min;
  std::optional<double> max;
  std::optional<std::vector<nlohmann::json>> in;
  std::optional<nlohmann::json> differs_from;  // "not"
  std::optional<bool> exists;

  // `value` is nullptr when absent.
  bool matches(const nlohmann::json* value) const;
  std::string describe() const;  // "= 3", "in [1, 2]", "min 50, max 70"
};

// A named value inside a JSON object ("received.bye") and its matcher.
struct FieldMatcher {
  std::string key;  // dotted for nested objects
  Matcher matcher;
};

struct EventMatcher {
  std::string event;
  std::optional<std::string> device;  // nullopt: any device; "": engine-wide
  std::vector<FieldMatcher> fields;
  // nullopt: any time; "run": before the engine's shutdown began; "shutdown": from then on.
  std::optional<std::string> phase;
  std::string path;  // its JSON path in the file, for messages

  std::string describe() const;  // `peer_closed` device a {row = "R4"}
};

// "the n-th event `event` (of `device`)": what `after` and `run.until` wait for.
struct EventCount {
  std::string event;
  std::optional<std::string> device;
  std::uint64_t count = 1;
  std::string describe() const;
};

struct Action {
  enum class Kind : std::uint8_t { command, remove_device, shutdown };
  Kind kind = Kind::command;
  std::optional<std::uint32_t> at_ms;  // exactly one of at_ms and after
  std::optional<EventCount> after;
  std::string device;
  std::uint16_t opcode = 0;
  std::vector<std::uint8_t> data;
  std::uint32_t timeout_ms = 0;  // 0: the device's command_timeout_ms
  std::uint32_t count = 1;
  std::string path;
};
const char* to_string(Action::Kind k) noexcept;

struct RunPhase {
  std::vector<EventCount> until;
  std::uint32_t max_ms = 3000;
  std::uint32_t settle_ms = 50;
  // A run phase that ends (at max_ms or a shutdown action) before every `until` holds is a
  // failure unless the file says that is acceptable ("until_required": false).
  bool until_required = true;
};

struct Expectations {
  std::vector<EventMatcher> events;  // an ordered subsequence
  std::vector<EventMatcher> never;
  std::map<std::string, std::string> final_state;             // device -> state name
  std::map<std::string, std::vector<FieldMatcher>> counters;  // device -> event name -> count
  std::map<std::string, std::vector<FieldMatcher>> commands;  // device -> outcome -> count
  std::map<std::string, std::vector<FieldMatcher>> device;    // device -> DeliveryRecord key
  bool delivery = true;
  std::optional<bool> shutdown_polite;
};

struct Scenario {
  std::string file;  // as given to load_scenario
  std::string name;
  std::string description;
  std::vector<std::string> tags;
  // Why the scenario can only run in the real world (it depends on the host kernel's behaviour
  // rather than Windows'); a simulated run skips it, saying so.
  std::optional<std::string> real_only;
  // Public reports (https links) of the field bug the scenario proves the engine does not have
  // (tag "field-bug"; scenarios/README.md, "Field bugs").
  std::vector<std::string> references;
  // What the file asks that this platform's real sockets cannot do, the first ("PATH: why"); a
  // real run skips it, saying so, and the simulated world plays it (devsim/platform_limits.hpp).
  std::optional<std::string> not_real_here;
  std::string tier;  // smoke | regression | soak
  std::vector<std::string> rows;
  std::optional<std::uint64_t> seed;
  std::uint32_t limit_ms = 15000;
  engine::EngineOptions engine;
  std::vector<engine::DeviceConfig> hosts;  // one per device, in file order; port filled at run time
  std::vector<devsim::DeviceSpec> devices;  // in file order
  std::vector<iocp::FaultRule> faults;
  std::vector<Action> actions;
  RunPhase run;
  Expectations expect;
  std::string expected_verdict = "pass";  // "pass" or "fail"

  std::vector<std::string> device_names() const;
};

inline constexpr std::uint64_t kDefaultSeed = 1;

}  // namespace iocpsim::scenario
