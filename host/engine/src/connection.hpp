// Per-operation and per-connection contexts.
//
// Each connection embeds its three op contexts (at most one connect, one receive and one send
// outstanding), so issuing an op never allocates. An op context is "live" from the issuing call
// until its one completion (or the inline handling of an immediate result); each live op holds
// one reference on its connection, and the owning device holds one more until it closes the
// connection. The connection is freed when the count reaches zero. Everything here is guarded
// by the owning device's mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "iocpsim/engine/completion_row.hpp"
#include "iocpsim/iocp/win32.hpp"
#include "outbox.hpp"
#include "send_queue.hpp"

namespace iocpsim::engine::detail {

struct Connection;
struct Device;

struct OpContext {
  OVERLAPPED ov;  // first: the OVERLAPPED* the port hands back is this context's address
  OpKind kind;
  bool in_use;
  bool cancelled_by_us;  // our own flag: 995 alone cannot say who ended the op
  bool completing;       // its completion is being handled now: nothing more is owed for it
  Connection* conn;
  std::uint32_t generation;  // the connection's generation when issued
  DWORD requested;           // bytes asked for
};

inline OpContext* op_from(OVERLAPPED* ov) { return reinterpret_cast<OpContext*>(ov); }

struct Connection {
  Connection(Device& d, std::uint32_t gen, std::size_t receive_bytes, std::size_t queue_bytes);

  Device& device;
  const std::uint32_t generation;
  SOCKET sock = INVALID_SOCKET;
  OpContext connect_op{};
  OpContext receive_op{};
  OpContext send_op{};
  int refs = 1;  // the device's reference + one per live op

  bool connected = false;
  bool closed = false;            // closesocket done (exactly once)
  bool end_of_stream = false;     // the peer's FIN arrived
  bool close_after_send = false;  // FIN seen while a send was in flight: finish it, then close
  bool half_close_when_flushed = false;
  bool half_closed = false;
  bool connect_timed_out = false;
  bool pumping = false;  // pump_send() is on the stack: inline sends loop, not recurse

  // Ops whose completion has not arrived yet (each will come exactly once).
  int ops_owed() const {
    int n = 0;
    for (const OpContext* op : {&connect_op, &receive_op, &send_op}) n += op->in_use && !op->completing;
    return n;
  }

  // The next WSARecv waits until the frames of the last one are delivered to the application
  // (the device's draining thread issues it), which bounds what is queued for a slow consumer.
  bool receive_parked = false;

  ReceiveBuffer receive_buffer;
  SendQueue send_queue;
};

}  // namespace iocpsim::engine::detail
