// classify(): the single mapping from what the port or a call answered onto IOCP-SEMANTICS.md.
//
// The traps it is shaped around: FALSE with an OVERLAPPED is a failed I/O that still owns an op
// (never lumped with "no packet"); TRUE with NULL is a posted packet; "did we cancel this?" comes
// from the engine's own flag, because 995 also means "closed under a pending connect".
#include "iocpsim/engine/completion_row.hpp"

namespace iocpsim::engine {
namespace {

constexpr NTSTATUS kWineHandlesClosed = STATUS_HANDLES_CLOSED;  // Wine's R6 (divergence 3)

CompletionRow classify_dequeue_failure(DWORD error) noexcept {
  switch (error) {
    case WAIT_TIMEOUT:
      return CompletionRow::r2_timeout;
    case WAIT_IO_COMPLETION:
      return CompletionRow::r14b_woken_by_apc;
    default:
      return CompletionRow::r3_port_closed;  // 735, or 6 on a handle already closed
  }
}

CompletionRow classify_success(const Observation& o) noexcept {
  if (o.kind == OpKind::receive && o.bytes == 0) {
    return o.requested_bytes == 0 ? CompletionRow::r13_zero_byte_receive : CompletionRow::r4_end_of_stream;
  }
  if (o.kind == OpKind::send && o.bytes < o.requested_bytes) return CompletionRow::r8_short_send;
  return CompletionRow::r1_success;
}

CompletionRow classify_failure(const Observation& o) noexcept {
  if (o.kind == OpKind::connect && o.status != STATUS_CANCELLED && o.status != STATUS_CONNECTION_ABORTED) {
    return CompletionRow::r12_connect_failed;
  }
  switch (o.status) {
    case STATUS_CONNECTION_RESET:
      return CompletionRow::r5_peer_reset;
    case STATUS_CONNECTION_ABORTED:
    case kWineHandlesClosed:
      return CompletionRow::r6_local_abort;
    case STATUS_CANCELLED:
      return o.cancelled_by_us ? CompletionRow::r7_cancelled : CompletionRow::r6b_aborted;
    case STATUS_BUFFER_OVERFLOW:
      return CompletionRow::r16_truncated;
    case STATUS_PORT_UNREACHABLE:
      return CompletionRow::r16b_port_unreachable;
    default:
      return CompletionRow::failed_other;
  }
}

CompletionRow classify_entry(const Observation& o) noexcept {
  if (!o.has_overlapped) return CompletionRow::r11_posted;
  // GQCSEx returned TRUE for the batch; each entry carries its own status (R14).
  if (o.status >= 0) return classify_success(o);
  return classify_failure(o);
}

CompletionRow classify_issue(const Observation& o) noexcept {
  if (o.error == 0) {
    return o.skip_port_on_success ? CompletionRow::r9b_done_inline : CompletionRow::r9_done_packet_follows;
  }
  if (o.error == static_cast<DWORD>(WSA_IO_PENDING)) return CompletionRow::pending;
  // WSAGetLastError may hold a Win32 code (64) for the same reset (asio).
  if (o.error == static_cast<DWORD>(WSAECONNRESET) || o.error == ERROR_NETNAME_DELETED) {
    return CompletionRow::r5b_reset_on_issue;
  }
  return CompletionRow::r10_failed_on_issue;
}

}  // namespace

CompletionRow classify(const Observation& o) noexcept {
  switch (o.source) {
    case Observation::Source::dequeue_failed:
      return classify_dequeue_failure(o.error);
    case Observation::Source::entry:
      return classify_entry(o);
    case Observation::Source::issue_result:
      return classify_issue(o);
  }
  return CompletionRow::failed_other;
}

bool releases_op(CompletionRow row) noexcept {
  switch (row) {
    case CompletionRow::r2_timeout:
    case CompletionRow::r3_port_closed:
    case CompletionRow::r9_done_packet_follows:
    case CompletionRow::r11_posted:
    case CompletionRow::r14b_woken_by_apc:
    case CompletionRow::pending:
      return false;
    default:
      return true;
  }
}

const char* to_string(OpKind kind) noexcept {
  switch (kind) {
    case OpKind::connect:
      return "connect";
    case OpKind::receive:
      return "receive";
    case OpKind::send:
      return "send";
  }
  return "unknown";
}

namespace {
struct RowName {
  const char* id;
  const char* meaning;
};
// Indexed by CompletionRow.
constexpr RowName kRowNames[] = {
    {"R1", "success"},          {"R2", "timeout"},         {"R3", "port_closed"},         {"R4", "end_of_stream"},
    {"R5", "peer_reset"},       {"R5b", "reset_on_issue"}, {"R6", "local_abort"},         {"R6b", "aborted"},
    {"R7", "cancelled"},        {"R8", "short_send"},      {"R9", "done_packet_follows"}, {"R9b", "done_inline"},
    {"R10", "failed_on_issue"}, {"R11", "posted"},         {"R12", "connect_failed"},     {"R13", "zero_byte_receive"},
    {"R14b", "woken_by_apc"},   {"R16", "truncated"},      {"R16b", "port_unreachable"},  {"pending", "pending"},
    {"other", "failed_other"},
};
}  // namespace

const char* to_string(CompletionRow row) noexcept { return kRowNames[static_cast<std::size_t>(row)].id; }

const char* describe(CompletionRow row) noexcept { return kRowNames[static_cast<std::size_t>(row)].meaning; }

}  // namespace iocpsim::engine
