#include "iocpsim/scenario/load.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "iocpsim/devsim/json_reader.hpp"
#include "iocpsim/iocp/fault_rules_json.hpp"
#include "load_detail.hpp"

namespace iocpsim::scenario {

using devsim::JsonReader;
using devsim::SpecError;
using nlohmann::json;

ScenarioError::ScenarioError(std::string file, const std::string& problem, bool unsupported_here)
    : std::runtime_error(file + ": " + problem), file_(std::move(file)), unsupported_here_(unsupported_here) {}

const std::vector<std::string>& engine_event_names() {
  static const std::vector<std::string> names = {
      "engine_started", "completion_skip_probed", "engine_start_failed", "device_rejected", "worker_port_closed",
      "shutdown_started", "shutdown_ceiling_reached", "shutdown_drained", "device_added",
      "device_removed", "state_changed", "connect_started", "connect_failed", "connect_timeout",
      "connected", "hello_sent", "session_ready", "handshake_failed", "handshake_timeout",
      "reconnect_scheduled", "peer_closed", "peer_reset", "op_aborted", "op_cancelled", "io_failed",
      "unexpected_completion", "stale_completion", "partial_send_resumed", "cancel_requested",
      "cancel_raced", "half_closed", "half_close_failed", "socket_closed", "send_queue_discarded",
      "connection_released", "protocol_error", "unexpected_message", "heartbeat_sent",
      "heartbeat_timeout", "stall_detected", "telemetry_gap", "device_event", "device_error",
      "peer_bye", "bye_sent", "send_queue_full", "command_sent", "command_rejected",
      "command_completed", "command_timeout", "command_failed", "late_reply", "unknown_reply",
      "shutdown_forced",
      "handler_exception", "op_abandoned", "peer_not_reading", "events_suppressed"};
  return names;
}

namespace detail {

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "\"" : ", \"") + s + "\"";
  return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& known) {
  if (word.size() < 2) return "";  // any one letter is "near" every short name
  const auto hint = devsim::nearest_key(word, known);
  return hint ? " (did you mean \"" + *hint + "\"?)" : "";
}

// "devices[0].script[2].bytes" -> the value there, or nullptr.
const json* value_at(const json& document, std::string_view path) {
  const json* at = &document;
  std::size_t i = 0;
  while (i < path.size() && at != nullptr) {
    if (path[i] == '.') ++i;
    if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string_view::npos || !at->is_array()) return nullptr;
      const std::size_t index = std::stoul(std::string(path.substr(i + 1, close - i - 1)));
      at = index < at->size() ? &(*at)[index] : nullptr;
      i = close + 1;
      continue;
    }
    const std::size_t end = std::min(path.find_first_of(".[", i), path.size());
    const std::string key(path.substr(i, end - i));
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    i = end;
  }
  return at;
}

std::string shortened(const json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// A reader's message, with what the file actually holds at that path when it says "expected".
std::string with_got(const json& document, const std::string& path, const std::string& message) {
  if (message.find("expected") == std::string::npos || message.find(", got") != std::string::npos) {
    return message;
  }
  const json* found = path.empty() ? nullptr : value_at(document, path);
  return found == nullptr ? message : message + ", got " + shortened(*found);
}

std::pair<std::size_t, std::size_t> line_col(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t col = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error
// while parsing ..." -> "syntax error while parsing ...".
std::string syntax_problem(const std::string& what) {
  const std::size_t colon = what.find(": ");
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace detail

namespace {

json read_json(std::string_view text, const std::string& file) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    const auto [line, col] = detail::line_col(text, e.byte);
    throw ScenarioError(file + ":" + std::to_string(line) + ":" + std::to_string(col),
                        detail::syntax_problem(e.what()));
  }
}

}  // namespace

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path);
}

Scenario parse_scenario(std::string_view text, const std::string& file) {
  return parse_scenario_json(read_json(text, file), file);
}

Scenario parse_scenario_json(const json& document, const std::string& file) {
  try {
    Scenario s = detail::read_scenario(document);
    s.file = file;
    return s;
  } catch (const devsim::UnsupportedHere& e) {
    throw ScenarioError(file, e.what(), /*unsupported_here=*/true);
  } catch (const SpecError& e) {
    throw ScenarioError(file, detail::with_got(document, e.path(), e.what()));
  } catch (const iocp::FaultRuleError& e) {
    const std::string message = e.what();
    throw ScenarioError(file, detail::with_got(document, message.substr(0, message.find(':')), message));
  }
}

}  // namespace iocpsim::scenario
