// The one classification of what the completion port (or an issuing call) answered, onto the
// rows of IOCP-SEMANTICS.md. Every dequeued entry, every failed dequeue and every inline result
// of WSARecv/WSASend/ConnectEx goes through classify(); the engine has one action per row.
#pragma once

#include <cstdint>

#include "iocpsim/iocp/win32.hpp"

namespace iocpsim::engine {

// Which operation an OVERLAPPED belongs to (the engine's own op contexts).
enum class OpKind : std::uint8_t { connect, receive, send };
const char* to_string(OpKind kind) noexcept;

// Rows of IOCP-SEMANTICS.md, named by id and meaning.
enum class CompletionRow : std::uint8_t {
  r1_success,              // TRUE, op, bytes (a whole send, a receive with data, a connect)
  r2_timeout,              // dequeue FALSE, NULL, 258: run timers, wait again
  r3_port_closed,          // dequeue FALSE, NULL, 735 (or 6 on a dead handle): leave the loop
  r4_end_of_stream,        // TRUE, receive, 0 bytes into a non-empty buffer: the peer's FIN
  r5_peer_reset,           // FALSE, op, 64 / STATUS_CONNECTION_RESET (R5d: on a send)
  r5b_reset_on_issue,      // the call itself failed with WSAECONNRESET: no packet
  r6_local_abort,          // FALSE, op, 1236 (or 676 under Wine): we closed the socket
  r6b_aborted,             // FALSE, op, 995 and we closed it (a pending connect at close)
  r7_cancelled,            // FALSE, op, 995 and we cancelled it (CancelIoEx)
  r8_short_send,           // TRUE, send, fewer bytes than requested
  r9_done_packet_follows,  // the call returned success without skip mode: wait for the packet
  r9b_done_inline,         // the call returned success with skip mode: handle it now
  r10_failed_on_issue,     // the call failed at once with anything but WSA_IO_PENDING: no packet
  r11_posted,              // TRUE, NULL: a posted packet (wake-up or sentinel), key tells which
  r12_connect_failed,      // FALSE, connect op, refused / timeout / unreachable
  r13_zero_byte_receive,   // TRUE, receive into an empty buffer, 0 bytes: data is there, not EOF
  r14b_woken_by_apc,       // dequeue FALSE, 192: wait again
  r16_truncated,           // FALSE, op, STATUS_BUFFER_OVERFLOW (datagram only; not fatal)
  r16b_port_unreachable,   // FALSE, op, STATUS_PORT_UNREACHABLE (datagram only; re-post)
  pending,                 // the call returned WSA_IO_PENDING: the packet will come
  failed_other,            // FALSE, op, a status none of the rows names: treat as a dead connection
};
const char* to_string(CompletionRow row) noexcept;  // "R4", "R5b", ...
const char* describe(CompletionRow row) noexcept;   // "end_of_stream", ...

// What was observed, from one of three places.
struct Observation {
  enum class Source : std::uint8_t { dequeue_failed, entry, issue_result };
  Source source = Source::entry;

  // dequeue_failed: GetLastError() after GQCSEx returned FALSE.
  // issue_result: 0 if the call succeeded, else WSAGetLastError() right after it.
  DWORD error = 0;

  // entry: the dequeued OVERLAPPED_ENTRY (status from its Internal).
  bool has_overlapped = false;
  NTSTATUS status = STATUS_SUCCESS;
  DWORD bytes = 0;

  // entry and issue_result: what the engine knows about the op (from its own context).
  OpKind kind = OpKind::receive;
  DWORD requested_bytes = 0;
  bool skip_port_on_success = false;  // issue_result: the socket skips the port on success
  bool cancelled_by_us = false;       // we called CancelIoEx on it (our flag, not the code)
};

CompletionRow classify(const Observation& o) noexcept;

// True for the rows that come with an op whose context is released by the action.
bool releases_op(CompletionRow row) noexcept;

}  // namespace iocpsim::engine
