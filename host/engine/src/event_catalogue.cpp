#include "iocpsim/engine/event_catalogue.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace iocpsim::engine {
namespace {

constexpr FieldType kText = FieldType::text;
constexpr FieldType kInteger = FieldType::integer;
constexpr FieldType kBoolean = FieldType::boolean;

// Grouped as EVENTS.md shows them. An event whose fields differ by case ("connect_failed": a row
// and a status, or a stage and a code) lists every field it may carry.
const std::vector<EventKind> kCatalogue = {
    {"completion_skip_probed",
     "Engine-wide",
     {{"honoured", kBoolean}, {"reason", kText}, {"error", kInteger}},
     "`honoured`, `reason` (`honoured`, `packet_queued`, `notification_modes`, `no_inline_success`, `setup`), `error`",
     "`start()` with `skip_completion_port_on_success: if_honoured` (the default) tried R9b on a loopback pair of its "
     "own: a receive with a byte waiting and a send both completed at once, then a marker was posted; `packet_queued` "
     "means a packet for one of them came before the marker"},
    {"engine_started",
     "Engine-wide",
     {{"workers", kInteger}, {"skip_completion_port_on_success", kText}, {"skips_port_on_success", kBoolean}},
     "`workers`, `skip_completion_port_on_success` (the option: `never`, `always`, `if_honoured`), "
     "`skips_port_on_success` (what the engine's sockets get)",
     "`start()` created the port and the workers"},
    {"engine_start_failed", "Engine-wide", {{"error", kInteger}}, "`error`", "`CreateIoCompletionPort` failed"},
    {"device_rejected",
     "Engine-wide",
     {{"name", kText}, {"host", kText}, {"reason", kText}},
     "`name`, `host`, `reason` (`name`, `host`, `too_many_devices`)",
     "`add_device()` with an empty name, a host that is not an IPv4 literal (`device_config_problems()` says why), or "
     "`EngineOptions::devices_max` (4096) devices there already"},
    {"worker_port_closed",
     "Engine-wide",
     {{"row", kText}, {"error", kInteger}},
     "`row` (`R3`), `error`",
     "a worker's dequeue said the port is gone; that worker leaves its loop. Once every worker has, the port is lost: "
     "nothing can be dequeued again, so shutdown does not wait for completions, releases what is outstanding "
     "(`op_abandoned`) and does not close the handle (whoever closed it did)"},
    {"shutdown_started",
     "Engine-wide",
     {{"timeout_ms", kInteger}},
     "`timeout_ms`",
     "`begin_shutdown()`: new work is refused from here on"},
    {"shutdown_ceiling_reached",
     "Engine-wide",
     {{"ceiling_ms", kInteger}},
     "`ceiling_ms`",
     "the real-time safety valve fired (the engine clock never reached the drain bound); everything is force-closed"},
    {"shutdown_drained",
     "Engine-wide",
     {{"leaked_op_contexts", kInteger},
      {"leaked_connection_contexts", kInteger},
      {"workers_joined", kInteger},
      {"polite", kBoolean}},
     "`leaked_op_contexts`, `leaked_connection_contexts`, `workers_joined`, `polite`",
     "the last event: every worker joined, the port closed. Both leak counts must be 0. `polite` is false if any "
     "device needed `shutdown_forced`"},
    {"device_added",
     "Device lifecycle",
     {{"host", kText}, {"port", kInteger}},
     "`host`, `port`",
     "`add_device()` accepted it; a connect starts at once"},
    {"device_removed",
     "Device lifecycle",
     {},
     "—",
     "`remove_device()`: the device drains like at shutdown and never reconnects"},
    {"state_changed",
     "Device lifecycle",
     {{"from", kText}, {"to", kText}},
     "`from`, `to`",
     "the session state changed (`backoff`, `connecting`, `handshaking`, `ready`, `closing`, `stopped`); the state "
     "callback gets the same"},
    {"connect_started",
     "Device lifecycle",
     {{"generation", kInteger}},
     "`generation`",
     "socket created, bound, associated with the port (key = the connection context), ConnectEx issued"},
    {"connect_failed",
     "Device lifecycle",
     {{"row", kText}, {"status", kInteger}, {"stage", kText}, {"code", kInteger}},
     "`row` (`R12`), `status` — or `stage` (`socket`, `bind`, `associate`, `notification_modes`), `code`",
     "the connect failed; a reconnect follows"},
    {"connect_timeout",
     "Device lifecycle",
     {{"timeout_ms", kInteger}},
     "`timeout_ms`",
     "no connect completion within the timeout: the connect is cancelled (its R7 packet then closes)"},
    {"connected",
     "Device lifecycle",
     {{"generation", kInteger}},
     "`generation`",
     "ConnectEx completed (R1); `SO_UPDATE_CONNECT_CONTEXT` set"},
    {"hello_sent",
     "Device lifecycle",
     {{"min_version", kInteger}, {"max_version", kInteger}},
     "`min_version`, `max_version`",
     "HELLO queued"},
    {"session_ready",
     "Device lifecycle",
     {{"version", kInteger},
      {"device_id", kText},
      {"firmware", kText},
      {"capabilities", kInteger},
      {"heartbeat_interval_ms", kInteger},
      {"heartbeat_interval_clamped", kBoolean},
      {"heartbeat_interval_requested_ms", kInteger},
      {"device_id_utf8", kBoolean},
      {"device_id_hex", kText},
      {"firmware_utf8", kBoolean},
      {"firmware_hex", kText}},
     "`version`, `device_id`, `firmware`, `capabilities`, `heartbeat_interval_ms`; `heartbeat_interval_clamped` (true) "
     "and `heartbeat_interval_requested_ms` when the device asked for an interval it was held from; `device_id_utf8`, "
     "`device_id_hex`, `firmware_utf8`, `firmware_hex` when those were not UTF-8",
     "a HELLO_ACK inside the offered version range. An interval asked for outside the options "
     "`heartbeat_interval_min_ms` … `heartbeat_interval_max_ms` (50 ms … 60 s by default) is held within them. The "
     "session heartbeats at the shorter of the (held) interval the device asked for and `heartbeat_interval_ms`"},
    {"handshake_failed",
     "Device lifecycle",
     {{"reason", kText}, {"version", kInteger}, {"min_version", kInteger}, {"max_version", kInteger}},
     "`reason` (`version`), `version`, `min_version`, `max_version`",
     "HELLO_ACK chose a version outside the range; closes, reconnects"},
    {"handshake_timeout",
     "Device lifecycle",
     {{"timeout_ms", kInteger}},
     "`timeout_ms`",
     "no HELLO_ACK in time; closes, reconnects"},
    {"reconnect_scheduled",
     "Device lifecycle",
     {{"delay_ms", kInteger}, {"attempt", kInteger}},
     "`delay_ms`, `attempt`",
     "after any failure of a live session or attempt: exponential backoff (`backoff_initial_ms · 2^attempt`, capped at "
     "`backoff_max_ms`) times `1 ± backoff_jitter` drawn from the seeded source. `attempt` starts over at 1 only after "
     "a session that lived `backoff_reset_after_ms` (5 s by default) past its handshake; one that died sooner counts "
     "as a failed attempt"},
    {"peer_closed",
     "Completions and the connection",
     {{"row", kText}, {"after_bye", kBoolean}, {"send_in_flight", kBoolean}},
     "`row` (`R4`), `after_bye`, `send_in_flight`",
     "the peer's FIN: reading stops; a send in flight finishes first; then the socket is closed"},
    {"peer_reset",
     "Completions and the connection",
     {{"row", kText}, {"op", kText}, {"bytes", kInteger}},
     "`row` (`R5` — also a reset on a pending send, R5d — or `R5b`), `op`, `bytes`",
     "the connection is dead; closes, reconnects"},
    {"op_aborted",
     "Completions and the connection",
     {{"row", kText}, {"op", kText}},
     "`row` (`R6`, `R6b`, or a reset after our own close), `op`",
     "an op ended because **we** closed the socket; not the peer's error"},
    {"op_cancelled",
     "Completions and the connection",
     {{"row", kText}, {"op", kText}},
     "`row` (`R7`), `op`",
     "an op we cancelled completed; released here"},
    {"io_failed",
     "Completions and the connection",
     {{"row", kText}, {"op", kText}, {"code", kInteger}},
     "`row` (`R10` or `other`), `op`, `code` — or `op: update_connect_context`, `code`",
     "an issuing call failed at once (no packet; handled inline) or a completion had a status no row names; closes, "
     "reconnects"},
    {"unexpected_completion",
     "Completions and the connection",
     {{"row", kText}, {"op", kText}},
     "`row` (`R13`, `R16`, `R16b`), `op`",
     "rows the engine never provokes on TCP; the receive is simply issued again"},
    {"stale_completion",
     "Completions and the connection",
     {{"row", kText}, {"op", kText}},
     "`row`, `op`",
     "a packet whose key or generation does not match its op's connection (must never happen)"},
    {"partial_send_resumed",
     "Completions and the connection",
     {{"sent", kInteger}, {"requested", kInteger}},
     "`sent`, `requested`",
     "R8: the send completed short; the rest goes out from the first unsent byte"},
    {"cancel_requested",
     "Completions and the connection",
     {{"op", kText}},
     "`op`",
     "`CancelIoEx` accepted the cancel; the packet follows (R7)"},
    {"cancel_raced",
     "Completions and the connection",
     {{"op", kText}, {"error", kInteger}},
     "`op`, `error` (1168)",
     "nothing to cancel: the op already completed and its packet is on its way"},
    {"half_closed",
     "Completions and the connection",
     {{"generation", kInteger}},
     "`generation`",
     "`shutdown(SD_SEND)` after the BYE left"},
    {"half_close_failed", "Completions and the connection", {{"code", kInteger}}, "`code`", "`shutdown` failed"},
    {"socket_closed",
     "Completions and the connection",
     {{"generation", kInteger}, {"ops_outstanding", kInteger}},
     "`generation`, `ops_outstanding`",
     "`closesocket`, exactly once per connection. `ops_outstanding` > 0 means an abortive close (R6c): each of those "
     "ops completes later with R6/R7 and is released there"},
    {"send_queue_discarded",
     "Completions and the connection",
     {{"bytes", kInteger}},
     "`bytes`",
     "unsent bytes dropped because the connection closed (pending commands fail with their callback)"},
    {"op_abandoned",
     "Completions and the connection",
     {{"row", kText}, {"op", kText}, {"generation", kInteger}},
     "`row` (`R3`), `op`, `generation`",
     "at shutdown after the port was lost: the socket is closed (which ends the op) and the op's context is released "
     "without the packet that can no longer come"},
    {"connection_released",
     "Completions and the connection",
     {{"generation", kInteger}},
     "`generation`",
     "the connection context was freed: its last op completed and the device let go"},
    {"handler_exception",
     "Completions and the connection",
     {{"op", kText}, {"what", kText}, {"what_utf8", kBoolean}, {"what_hex", kText}},
     "`op` (`connect`, `receive`, `send`, `timer`), `what`; `what_utf8`, `what_hex` when it was not UTF-8",
     "handling one of the connection's completions or timers threw (nothing a device sends may end a worker); that "
     "connection closes and reconnects, the worker carries on"},
    {"protocol_error",
     "Protocol",
     {{"error", kText}, {"offset", kInteger}},
     "`error` (the decoder's `DecodeError` name, e.g. `bad_magic`, `crc_mismatch`), `offset` (stream offset of the "
     "faulty byte)",
     "a malformed frame; this connection closes and reconnects, no other device is affected"},
    {"unexpected_message",
     "Protocol",
     {{"type", kText}, {"state", kText}},
     "`type`, `state`",
     "a frame that makes no sense in this state (ignored)"},
    {"heartbeat_sent", "Protocol", {{"nonce", kInteger}}, "`nonce`", "nothing was sent for the heartbeat interval"},
    {"heartbeat_timeout",
     "Protocol",
     {{"nonce", kInteger}},
     "`nonce`",
     "no HEARTBEAT_ACK within `heartbeat_timeout_ms`; closes, reconnects. The answer is due from the moment the "
     "heartbeat was due, even when it found no room in the send queue (then a `send_queue_full` of `type: heartbeat` "
     "comes instead of `heartbeat_sent`): a device that does not read cannot keep its session by sending"},
    {"peer_not_reading",
     "Protocol",
     {{"stalled_ms", kInteger}, {"queued_bytes", kInteger}, {"send_in_flight", kBoolean}},
     "`stalled_ms`, `queued_bytes`, `send_in_flight`",
     "bytes were waiting to go out and none moved for `send_stall_timeout_ms` (the queue full, or a send that never "
     "completes): the device does not read; closes, reconnects"},
    {"stall_detected",
     "Protocol",
     {{"silent_ms", kInteger}},
     "`silent_ms`",
     "no bytes received for `stall_timeout_ms`; closes, reconnects"},
    {"telemetry_gap",
     "Protocol",
     {{"channel", kInteger}, {"expected", kInteger}, {"got", kInteger}},
     "`channel`, `expected`, `got`",
     "a channel's sequence did not continue by +1 (a gap or a step back); delivery continues"},
    {"device_event",
     "Protocol",
     {{"event_id", kInteger}, {"severity", kInteger}, {"code", kInteger}},
     "`event_id`, `severity`, `code`",
     "an EVENT frame; the event callback gets it. Rate-limited (below)"},
    {"device_error",
     "Protocol",
     {{"code", kInteger}, {"ref_seq", kInteger}, {"text", kText}, {"text_utf8", kBoolean}, {"text_hex", kText}},
     "`code`, `ref_seq`, `text`; `text_utf8`, `text_hex` when it was not UTF-8",
     "an ERROR frame from the device, in a session or refusing our HELLO (PROTOCOL.md 6.1.3)"},
    {"peer_bye",
     "Protocol",
     {{"reason", kInteger}, {"text", kText}, {"text_utf8", kBoolean}, {"text_hex", kText}},
     "`reason`, `text`; `text_utf8`, `text_hex` when it was not UTF-8",
     "the device said goodbye (also when refusing our HELLO); its FIN is expected next"},
    {"bye_sent", "Protocol", {{"reason", kText}}, "`reason`", "our BYE queued (shutdown or removal)"},
    {"send_queue_full",
     "Protocol",
     {{"type", kText}, {"frame_bytes", kInteger}, {"queued_bytes", kInteger}, {"error", kText}},
     "`type`, `frame_bytes`, `queued_bytes`, `error`",
     "a frame did not fit in `send_queue_max_bytes`; nothing was queued and the caller was told "
     "(`Submit::queue_full`). Rate-limited (below)"},
    {"events_suppressed",
     "Protocol",
     {{"suppressed_event", kText}, {"count", kInteger}, {"since_ms", kInteger}},
     "`suppressed_event`, `count`, `since_ms`",
     "`count` events `suppressed_event` of this device were not written since `since_ms` (rate limit, below); written "
     "when a later window writes that event again, and when the connection closes"},
    {"command_sent",
     "Commands",
     {{"request_id", kInteger}, {"opcode", kInteger}, {"timeout_ms", kInteger}},
     "`request_id`, `opcode`, `timeout_ms`",
     "queued for sending; the callback will run exactly once"},
    {"command_rejected",
     "Commands",
     {{"reason", kText}},
     "`reason` (`too_many_in_flight`)",
     "`commands_in_flight_max` reached; nothing queued"},
    {"command_completed",
     "Commands",
     {{"request_id", kInteger}, {"status", kInteger}},
     "`request_id`, `status`",
     "the RESPONSE arrived in time"},
    {"command_timeout",
     "Commands",
     {{"request_id", kInteger}},
     "`request_id`",
     "no RESPONSE in time; the callback gets `timeout`"},
    {"command_failed",
     "Commands",
     {{"request_id", kInteger}, {"outcome", kText}},
     "`request_id`, `outcome` (`connection_lost`, `shutdown`)",
     "the connection closed or the engine shut down first"},
    {"late_reply",
     "Commands",
     {{"request_id", kInteger}},
     "`request_id`",
     "a RESPONSE for a command that already timed out: counted, dropped"},
    {"unknown_reply",
     "Commands",
     {{"request_id", kInteger}},
     "`request_id`",
     "a RESPONSE for no command we know: counted, dropped"},
    {"shutdown_forced",
     "Shutdown",
     {{"state", kText}},
     "`state`",
     "the device's connection did not close within `shutdown_timeout_ms` after the BYE: its ops are cancelled and the "
     "socket closed"},
};

bool has_type(const nlohmann::json& v, FieldType t) {
  switch (t) {
    case FieldType::text:
      return v.is_string();
    case FieldType::integer:
      return v.is_number_integer();
    case FieldType::boolean:
      return v.is_boolean();
  }
  return false;
}

}  // namespace

const char* to_string(FieldType t) noexcept {
  switch (t) {
    case FieldType::text:
      return "text";
    case FieldType::integer:
      return "integer";
    case FieldType::boolean:
      return "boolean";
  }
  return "?";
}

const EventField* EventKind::field(std::string_view field_name) const {
  const auto it = std::find_if(fields.begin(), fields.end(), [&](const EventField& f) { return f.name == field_name; });
  return it == fields.end() ? nullptr : &*it;
}

std::span<const EventKind> event_catalogue() { return kCatalogue; }

const EventKind* find_event_kind(std::string_view name) {
  const auto it =
      std::find_if(kCatalogue.begin(), kCatalogue.end(), [&](const EventKind& k) { return k.name == name; });
  return it == kCatalogue.end() ? nullptr : &*it;
}

std::string event_fields_problem(const EventKind& kind, const nlohmann::json& fields) {
  const std::string event(kind.name);
  if (!fields.is_object()) return "event " + event + " has fields that are not an object";
  for (const auto& [key, value] : fields.items()) {
    const EventField* f = kind.field(key);
    if (f == nullptr) return "event " + event + " has field " + key + ", which the catalogue does not list";
    if (!has_type(value, f->type)) {
      return "event " + event + " has field " + key + " = " + value.dump() + ", but the catalogue says " +
             to_string(f->type);
    }
  }
  return {};
}

std::string event_catalogue_markdown() {
  std::string out;
  std::string_view group;
  for (const EventKind& k : kCatalogue) {
    if (k.group != group) {
      group = k.group;
      out += std::string(out.empty() ? "" : "\n") + "## " + std::string(group) + "\n\n";
      out += "| event | fields | types | when |\n|---|---|---|---|\n";
    }
    std::string types;
    for (const EventField& f : k.fields) {
      types += (types.empty() ? "" : ", ") + std::string("`") + std::string(f.name) + "` " + to_string(f.type);
    }
    out += "| `" + std::string(k.name) + "` | " + std::string(k.fields_doc) + " | " + (types.empty() ? "—" : types) +
           " | " + std::string(k.when) + " |\n";
  }
  return out;
}

}  // namespace iocpsim::engine
