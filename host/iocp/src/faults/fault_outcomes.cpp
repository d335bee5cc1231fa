// The table of fault outcomes and what is made from it: the names, the parameters' checks, the
// schema of a rule, FAULTS.md's tables.
#include "iocpsim/iocp/fault_outcomes.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "iocpsim/iocp/win32.hpp"

namespace iocpsim::iocp {
namespace {

using ordered_json = nlohmann::ordered_json;

constexpr CallSet kTransfers = call_bit(Call::WSARecv) | call_bit(Call::WSASend);
constexpr CallSet kOverlapped = kTransfers | call_bit(Call::ConnectEx) | call_bit(Call::AcceptEx);
constexpr CallSet kWaits = call_bit(Call::GetQueuedCompletionStatus) | call_bit(Call::GetQueuedCompletionStatusEx);
constexpr std::uint64_t kDwordMax = 0xFFFF'FFFFu;

constexpr std::array<const char*, static_cast<std::size_t>(Outcome::kCount)> kOutcomeNames = {
#define IOCPSIM_OUTCOME_NAME(name) #name,
    IOCPSIM_FAULT_OUTCOMES(IOCPSIM_OUTCOME_NAME)
#undef IOCPSIM_OUTCOME_NAME
};

std::vector<OutcomeSpec> make_table() {
  using O = Outcome;
  const char* const connect_failure_how = "no real connect: the socket stays bound and unconnected, free to retry";
  return {
      {O::success,
       "R1 R8",
       kTransfers,
       {{"bytes", 1, kDwordMax, std::nullopt, "all the op asked for", "at most this many bytes move"}},
       "the op completes normally moving **at most** `bytes`",
       "the real op is issued with its buffers cut to `bytes`, so only those bytes move; nothing is lost or "
       "invented"},
      {O::short_send,
       "R8",
       call_bit(Call::WSASend),
       {{"bytes", 1, kDwordMax, 1, "", "bytes the send moves"}},
       "TRUE, op, `bytes` < requested",
       "as `success`: only the first `bytes` reach the peer; the engine resends the rest"},
      {O::peer_fin,
       "R4",
       call_bit(Call::WSARecv),
       {},
       "pending; packet TRUE, op, 0",
       "no real op is issued; the real read side is shut; **later receives** succeed at once with 0 bytes "
       "(packet too, unless the socket skips the port on success: R9/R9b); sending still works"},
      {O::peer_reset,
       "R5 R5d",
       kTransfers,
       {{"bytes", 0, kDwordMax, 0, "", "on sends: the bytes the failed packet reports"}},
       "pending; packet FALSE, op, 0 (send: `bytes`), 64, `0xC000020D`",
       "no real op; every real op still pending on the connection ends with the same reset (see \"Ending ops "
       "already pending\" below); the real socket is shut both ways and set to RST on close; **later** "
       "receives/sends fail at once with 10054 and no packet (R5b)"},
      {O::local_abort,
       "R6",
       kTransfers,
       {},
       "pending; packet FALSE, op, 0, 1236, `0xC0000241`",
       "as `peer_reset`, with later calls failing at once with 10053"},
      {O::cancelled,
       "R7 R6b",
       kOverlapped,
       {},
       "pending; packet FALSE, op, 0, 995, `0xC0000120`",
       "the real op is issued and then really cancelled (`CancelIoEx`); its own packet is the one delivered; "
       "if it raced to completion its real result comes instead (R7: \"TRUE if it raced\")"},
      {O::sync_success,
       "R9",
       kTransfers,
       {},
       "returns 0 with the bytes; **one** packet queued",
       "the real op must be done at once (else the rule waits); on a socket that skips the port the shim "
       "queues the packet itself"},
      {O::sync_success_skip,
       "R9b",
       kTransfers,
       {},
       "returns 0 with the bytes; **no** packet",
       "only on a socket the caller put in skip mode (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS): elsewhere Windows "
       "queues a packet for every at-once success, so the rule waits for a call on a socket that skips; the real "
       "op must be done at once (else the rule waits), and an op that pends keeps its packet"},
      {O::immediate_error,
       "R10, R5b with 10054",
       kOverlapped,
       {{"error",
         1,
         0x7FFF'FFFF,
         WSAENOBUFS,
         "",
         "the Winsock or Win32 code the call fails with (10054: a reset)",
         {static_cast<std::uint64_t>(WSA_IO_PENDING)},
         "is not an immediate failure"}},
       "`SOCKET_ERROR`/`FALSE`, the error, no packet",
       "nothing is issued; with 10054 (10053) the connection is then reset (aborted) as above"},
      {O::connect_refused,
       "R12",
       call_bit(Call::ConnectEx),
       {},
       "pending; packet FALSE, op, 0, 1225, `0xC0000236`",
       connect_failure_how},
      {O::connect_timeout,
       "R12",
       call_bit(Call::ConnectEx),
       {},
       "pending; packet FALSE, op, 0, 121, `0xC00000B5`",
       connect_failure_how},
      {O::network_unreachable,
       "R12",
       call_bit(Call::ConnectEx),
       {},
       "pending; packet FALSE, op, 0, 1231, `0xC000023C`",
       connect_failure_how},
      {O::host_unreachable,
       "R12",
       call_bit(Call::ConnectEx),
       {},
       "pending; packet FALSE, op, 0, 1232, `0xC000023D`",
       connect_failure_how},
      {O::connect_unanswered,
       "R7 R6b",
       call_bit(Call::ConnectEx),
       {},
       "pending, and no packet until the op is ended: `CancelIoEx` gives FALSE, op, 0, 995, `0xC0000120` (R7), "
       "closing the socket the same (R6b)",
       "no real connect (the peer never answers): the socket stays bound and unconnected; another `ConnectEx` on it "
       "fails at once with 10037 (`WSAEALREADY`); a reset or abort forced on the socket ends it with that status"},
      {O::peer_not_reading,
       "R7 R6",
       call_bit(Call::WSASend),
       {},
       "pending, moving nothing, and no packet until the op is ended: `CancelIoEx` gives FALSE, op, 0, 995 (R7), "
       "closing the socket FALSE, op, 0, 1236, `0xC0000241` (R6)",
       "no real send: not a byte reaches the peer; the peer keeps not reading, so **every later send** on the "
       "connection pends the same way (receives still work); a reset or abort forced on the connection ends the held "
       "sends with it (R5d)"},
      {O::deliver_before_return,
       "R15",
       kOverlapped,
       {{"wait_ms", 1, kDwordMax, 1000, "", "ceiling on waiting for the dequeue"}},
       "the op's packet is dequeued (by another worker) **before** the issuing call returns",
       "the real op is issued; the call then waits until its packet was taken through the shim (`wait_ms` is "
       "only a ceiling)"},
      {O::skip_mode_ignored,
       "R9",
       call_bit(Call::SetFileCompletionNotificationModes),
       {},
       "TRUE, the last error unchanged",
       "skip-on-success is not set (other flags are): an op done at once still queues its packet, as under Wine 8 and "
       "behind layered providers that are not IFS; a call that does not ask for skip-on-success passes through, and "
       "the rule waits for one that does"},
      {O::skip_mode_refused,
       "R9b",
       call_bit(Call::SetFileCompletionNotificationModes),
       {},
       "FALSE, 87 `ERROR_INVALID_PARAMETER`",
       "nothing is set: the socket keeps queueing a packet for every op"},
      {O::wait_timeout,
       "R2",
       kWaits,
       {},
       "FALSE, NULL, bytes untouched, 258 (Ex: FALSE, count 1)",
       "the wait ends at once; queued packets stay for the next call"},
      {O::port_closed,
       "R3",
       kWaits,
       {},
       "FALSE, NULL, 735 (Ex: count 1)",
       "the port is really closed: other waiters wake with 735, later calls get 6"},
      {O::spurious_wakeup,
       "R11",
       kWaits,
       {{"bytes", 0, kDwordMax, 0, "", "the byte count reported"},
        {"key", 0, UINT64_MAX, 0, "", "the completion key reported"}},
       "TRUE, NULL, `bytes`, `key`",
       "a wake-up nobody posted; no real packet is consumed"},
      {O::reorder,
       "R15",
       kWaits,
       {},
       "the next completion first, the held one on the following call",
       "the first packet taken is held; if nothing follows within the call's timeout it is delivered after "
       "all — never lost"},
      {O::mixed_batch,
       "R14",
       call_bit(Call::GetQueuedCompletionStatusEx),
       {},
       "Ex: TRUE, several entries, at least one failed",
       "takes what is queued; if every entry succeeded, the last op entry becomes a peer reset (status "
       "`0xC000020D`, 0 bytes) and its connection is reset as for `peer_reset`"},
  };
}

// The names a file may use for the calls of a set: the Win32 names, then (with short_forms) GQCS
// and GQCSEx.
std::vector<std::string> call_names(CallSet calls, bool short_forms = true) {
  // The operations first, then the waits, then whatever else, each group in the Call order.
  const CallSet groups[] = {kTransfers, kOverlapped & ~kTransfers, kWaits, ~(kOverlapped | kWaits)};
  std::vector<std::string> out;
  for (const CallSet group : groups) {
    for (int i = 0; i < static_cast<int>(Call::kCount); ++i) {
      const CallSet bit = call_bit(static_cast<Call>(i));
      if ((calls & group & bit) != 0) out.emplace_back(call_name(static_cast<Call>(i)));
    }
  }
  if (!short_forms) return out;
  if ((calls & call_bit(Call::GetQueuedCompletionStatus)) != 0) out.emplace_back("GQCS");
  if ((calls & call_bit(Call::GetQueuedCompletionStatusEx)) != 0) out.emplace_back("GQCSEx");
  return out;
}

CallSet every_watchable_call() {
  CallSet all = 0;
  for (const OutcomeSpec& s : outcome_table()) all |= s.calls;
  return all;
}

ordered_json call_choice(CallSet calls) {
  const ordered_json names = call_names(calls);
  return {{"anyOf", {{{"enum", names}}, {{"type", "array"}, {"minItems", 1}, {"items", {{"enum", names}}}}}}};
}

ordered_json parameter_schema(const OutcomeParameter& p) {
  ordered_json s = {{"type", "integer"}, {"minimum", p.min}, {"maximum", p.max}};
  if (p.excluded.size() == 1) s["not"] = {{"const", p.excluded.front()}};
  if (p.excluded.size() > 1) s["not"] = {{"enum", p.excluded}};
  if (p.fallback) s["default"] = *p.fallback;
  s["description"] = p.meaning;
  return s;
}

ordered_json rule_schema() {
  ordered_json names = ordered_json::array();
  for (const OutcomeSpec& s : outcome_table()) names.push_back(s.name());
  ordered_json rule = {
      {"type", "object"},
      {"required", {"outcome"}},
      {"properties",
       {{"name", {{"type", "string"}, {"description", "shown in the journal and messages"}}},
        {"when", {{"$ref", "#/$defs/when"}}},
        {"outcome", {{"enum", names}, {"description", "what happens (host/iocp/FAULTS.md)"}}},
        {"times",
         {{"anyOf", {{{"type", "integer"}, {"minimum", 1}, {"maximum", UINT64_MAX}}, {{"const", "always"}}}},
          {"default", 1},
          {"description", "firings before the rule retires"}}}}},
      {"description", "a fault rule for the shim (host/iocp/FAULTS.md)"}};
  ordered_json each = ordered_json::array();
  for (const OutcomeSpec& s : outcome_table()) {
    ordered_json call = call_choice(s.calls);
    call["description"] = "the call(s) this rule watches; default: every call the outcome applies to";
    ordered_json props = {
        {"name", true}, {"when", {{"properties", {{"call", std::move(call)}}}}}, {"outcome", true}, {"times", true}};
    for (const OutcomeParameter& p : s.parameters) props[p.key] = parameter_schema(p);
    each.push_back({{"if", {{"properties", {{"outcome", {{"const", s.name()}}}}}, {"required", {"outcome"}}}},
                    {"then", {{"properties", std::move(props)}, {"additionalProperties", false}}}});
  }
  rule["allOf"] = std::move(each);
  return rule;
}

std::string joined(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

std::string code(const std::string& s) { return "`" + s + "`"; }

}  // namespace

const char* outcome_name(Outcome o) { return kOutcomeNames.at(static_cast<std::size_t>(o)); }

std::optional<Outcome> outcome_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kOutcomeNames.size(); ++i) {
    if (name == kOutcomeNames[i]) return static_cast<Outcome>(i);
  }
  return std::nullopt;
}

CallSet allowed_calls(Outcome o) { return outcome_spec(o).calls; }

std::optional<std::string> OutcomeParameter::problem(std::uint64_t value) const {
  if (std::find(excluded.begin(), excluded.end(), value) != excluded.end()) {
    return std::to_string(value) + " " + excluded_why + "; expected " + meaning;
  }
  if (value < min || value > max) return out_of_range(std::to_string(value));
  return std::nullopt;
}

std::string OutcomeParameter::out_of_range(const std::string& given) const {
  return "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + " (" + meaning + "), got " +
         given;
}

const std::vector<OutcomeSpec>& outcome_table() {
  static const std::vector<OutcomeSpec> table = [] {
    std::vector<OutcomeSpec> t = make_table();
    std::vector<bool> seen(static_cast<std::size_t>(Outcome::kCount), false);
    for (const OutcomeSpec& s : t) seen.at(static_cast<std::size_t>(s.outcome)) = true;
    for (bool b : seen) {
      if (!b) throw std::logic_error("fault outcome table: an Outcome has no entry");
    }
    if (t.size() != seen.size()) throw std::logic_error("fault outcome table: an Outcome has two entries");
    return t;
  }();
  return table;
}

const OutcomeSpec& outcome_spec(Outcome o) {
  for (const OutcomeSpec& s : outcome_table()) {
    if (s.outcome == o) return s;
  }
  throw std::out_of_range("no such outcome");
}

const OutcomeParameter* outcome_parameter(Outcome o, const std::string& key) {
  for (const OutcomeParameter& p : outcome_spec(o).parameters) {
    if (key == p.key) return &p;
  }
  return nullptr;
}

OutcomeGroup outcome_group(Outcome o) {
  const CallSet calls = outcome_spec(o).calls;
  if ((calls & ~kWaits) == 0) return OutcomeGroup::port;
  if (calls == call_bit(Call::SetFileCompletionNotificationModes)) return OutcomeGroup::socket_mode;
  return OutcomeGroup::operation;
}

std::vector<std::string> watchable_call_names() { return call_names(every_watchable_call()); }

std::string fault_rule_schema_json() { return rule_schema().dump(); }

std::string fault_call_schema_json() {
  ordered_json s = call_choice(every_watchable_call());
  s["description"] = "the call(s) the rule watches (GQCS and GQCSEx are short for the waits)";
  return s.dump();
}

std::string outcome_markdown(OutcomeGroup group) {
  std::string out =
      "| outcome | row | calls | caller sees | how the world is kept consistent |\n"
      "|---|---|---|---|---|\n";
  std::string parameters;
  for (const OutcomeSpec& s : outcome_table()) {
    if (outcome_group(s.outcome) != group) continue;
    std::vector<std::string> keys;
    for (const OutcomeParameter& p : s.parameters) {
      keys.push_back(code(p.key));
      std::string range = std::to_string(p.min) + " … " + std::to_string(p.max);
      for (std::uint64_t x : p.excluded) range += ", not " + std::to_string(x) + " (" + p.excluded_why + ")";
      const std::string fallback = p.fallback ? std::to_string(*p.fallback) : std::string(p.unset);
      parameters +=
          "| " + code(s.name()) + " | " + code(p.key) + " | " + range + " | " + fallback + " | " + p.meaning + " |\n";
    }
    out += "| " + code(s.name()) + (keys.empty() ? "" : " (" + joined(keys, ", ") + ")") + " | " + s.rows + " | " +
           joined(call_names(s.calls, false), ", ") + " | " + s.caller_sees + " | " + s.how + " |\n";
  }
  if (!parameters.empty()) {
    out += "\nTheir parameters:\n\n| outcome | key | range | default | meaning |\n|---|---|---|---|---|\n" + parameters;
  }
  return out;
}

}  // namespace iocpsim::iocp
