#include "iocpsim/engine/event_catalogue.hpp"

#include <algorithm>

namespace iocpsim::engine {
namespace {

// Grouped as in EVENTS.md. An event whose fields differ by case ("connect_failed": a row and a
// status, or a stage and a code) lists every field it may carry.
const std::vector<EventKind> kCatalogue = {
    {"completion_skip_probed", {"honoured", "reason", "error"}},
    {"engine_started", {"workers", "skip_completion_port_on_success", "skips_port_on_success"}},
    {"engine_start_failed", {"error"}},
    {"device_rejected", {"name", "host", "reason"}},
    {"worker_port_closed", {"row", "error"}},
    {"shutdown_started", {"timeout_ms"}},
    {"shutdown_ceiling_reached", {"ceiling_ms"}},
    {"shutdown_drained", {"leaked_op_contexts", "leaked_connection_contexts", "workers_joined", "polite"}},
    {"device_added", {"host", "port"}},
    {"device_removed", {}},
    {"state_changed", {"from", "to"}},
    {"connect_started", {"generation"}},
    {"connect_failed", {"row", "status", "stage", "code"}},
    {"connect_timeout", {"timeout_ms"}},
    {"connected", {"generation"}},
    {"hello_sent", {"min_version", "max_version"}},
    {"session_ready",
     {"version", "device_id", "firmware", "capabilities", "heartbeat_interval_ms", "heartbeat_interval_clamped",
      "heartbeat_interval_requested_ms", "device_id_utf8", "device_id_hex", "firmware_utf8", "firmware_hex"}},
    {"handshake_failed", {"reason", "version", "min_version", "max_version"}},
    {"handshake_timeout", {"timeout_ms"}},
    {"reconnect_scheduled", {"delay_ms", "attempt"}},
    {"peer_closed", {"row", "after_bye", "send_in_flight"}},
    {"peer_reset", {"row", "op", "bytes"}},
    {"op_aborted", {"row", "op"}},
    {"op_cancelled", {"row", "op"}},
    {"io_failed", {"row", "op", "code"}},
    {"unexpected_completion", {"row", "op"}},
    {"stale_completion", {"row", "op"}},
    {"partial_send_resumed", {"sent", "requested"}},
    {"cancel_requested", {"op"}},
    {"cancel_raced", {"op", "error"}},
    {"half_closed", {"generation"}},
    {"half_close_failed", {"code"}},
    {"socket_closed", {"generation", "ops_outstanding"}},
    {"send_queue_discarded", {"bytes"}},
    {"op_abandoned", {"row", "op", "generation"}},
    {"connection_released", {"generation"}},
    {"handler_exception", {"op", "what", "what_utf8", "what_hex"}},
    {"protocol_error", {"error", "offset"}},
    {"unexpected_message", {"type", "state"}},
    {"heartbeat_sent", {"nonce"}},
    {"heartbeat_timeout", {"nonce"}},
    {"peer_not_reading", {"stalled_ms", "queued_bytes", "send_in_flight"}},
    {"stall_detected", {"silent_ms"}},
    {"telemetry_gap", {"channel", "expected", "got"}},
    {"device_event", {"event_id", "severity", "code"}},
    {"device_error", {"code", "ref_seq", "text", "text_utf8", "text_hex"}},
    {"peer_bye", {"reason", "text", "text_utf8", "text_hex"}},
    {"bye_sent", {"reason"}},
    {"send_queue_full", {"type", "frame_bytes", "queued_bytes", "error"}},
    {"events_suppressed", {"suppressed_event", "count", "since_ms"}},
    {"command_sent", {"request_id", "opcode", "timeout_ms"}},
    {"command_rejected", {"reason"}},
    {"command_completed", {"request_id", "status"}},
    {"command_timeout", {"request_id"}},
    {"command_failed", {"request_id", "outcome"}},
    {"late_reply", {"request_id"}},
    {"unknown_reply", {"request_id"}},
    {"shutdown_forced", {"state"}},
};

}  // namespace

std::span<const EventKind> event_catalogue() { return kCatalogue; }

const EventKind* find_event_kind(std::string_view name) {
  const auto it = std::find_if(kCatalogue.begin(), kCatalogue.end(), [&](const EventKind& k) { return k.name == name; });
  return it == kCatalogue.end() ? nullptr : &*it;
}

}  // namespace iocpsim::engine
