// The simulated network's state: ports, sockets, connections and their buffers. Only the running
// thread of the world touches it (the world runs one at a time), so nothing here is locked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "iocpsim/iocp/sim_io_api.hpp"
#include "iocpsim/world/scheduler.hpp"

namespace iocpsim::iocp::sim {

using us = std::chrono::microseconds;

struct Packet {
  ULONG_PTR key = 0;
  OVERLAPPED* overlapped = nullptr;
  DWORD bytes = 0;
  NTSTATUS status = STATUS_SUCCESS;
  bool io = false;  // an I/O completion: the OVERLAPPED learns its result when dequeued
};

// A thread blocked in a dequeue; lives on its stack. A poster hands it a packet directly, the
// most recent waiter first (LIFO); packets queue only while nobody waits (FIFO).
struct Waiter {
  world::SimThread* thread = nullptr;
  Packet packet;
  bool got = false;
  bool abandoned = false;
};

struct Port {
  std::deque<Packet> queue;
  std::vector<Waiter*> waiters;  // back(): the most recent
};

enum class OpKind : std::uint8_t { recv, send, connect, accept };

struct Op {
  OpKind kind = OpKind::recv;
  OVERLAPPED* overlapped = nullptr;
  std::vector<WSABUF> buffers;     // recv: where the bytes go
  std::size_t total = 0;           // recv: room in the buffers (0: a zero-byte receive, R13)
  std::vector<std::uint8_t> data;  // send, connect: the bytes, copied when issued
  std::size_t accepted = 0;        // send: bytes taken into the send buffer so far
  std::uint32_t accept_slot = 0;   // accept: the socket that gets the connection
  std::uint32_t accept_generation = 0;
  char* address_buffer = nullptr;  // accept: local then remote sockaddr_in
  DWORD local_bytes = 0;
};

// One direction's buffers and signals, as one side of a connection sees them.
struct Endpoint {
  std::deque<std::uint8_t> rx;  // received, not yet read
  std::size_t rx_cap = 0;
  std::deque<std::uint8_t> tx;  // accepted from sends, not yet in the peer's rx
  std::size_t tx_cap = 0;
  bool fin_queued = false;  // our FIN goes once tx is empty
  bool fin_sent = false;
  bool fin_in = false;  // the peer's FIN came, after everything now in rx
  bool reset = false;   // an RST came (or we sent one): the connection is dead here
  bool transmit_armed = false;
  // The socket that owns this side: a slot, kUnaccepted while in a listener's backlog, kClosed
  // once the socket is closed (data arriving then is answered with RST).
  std::int64_t owner = 0;
};
inline constexpr std::int64_t kUnaccepted = -2;
inline constexpr std::int64_t kClosed = -1;

struct Conn {
  Endpoint ep[2];  // [0] the connecting side, [1] the accepted side
};

struct Sock {
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;
  bool open = false;
  bool bound = false;
  bool listening = false;
  bool connecting = false;
  bool connected = false;
  bool reuse_address = false;
  sockaddr_in local{};
  sockaddr_in remote{};
  std::uint64_t port_id = 0;  // 0: not associated
  ULONG_PTR key = 0;
  bool skip_on_success = false;
  int rcvbuf = 0;
  int sndbuf = 0;
  bool linger_zero = false;
  bool shut_send = false;
  bool shut_recv = false;
  std::optional<NTSTATUS> connect_result;  // for a blocking connect
  std::uint64_t connect_attempt = 0;       // which attempt the network's timers belong to
  // listener
  int backlog = 0;
  SimListenMode mode = SimListenMode::accepting;
  std::uint32_t refuse_count = 0;
  std::uint64_t refusal_port = 0;  // 0: nobody is told of refused attempts
  ULONG_PTR refusal_key = 0;
  std::deque<std::shared_ptr<Conn>> backlog_q;
  std::deque<Op> accepts;
  // connected
  std::shared_ptr<Conn> conn;
  int side = 0;
  std::deque<Op> recvs;
  std::deque<Op> sends;
  std::deque<Op> connects;

  std::size_t pending() const { return recvs.size() + sends.size() + connects.size() + accepts.size(); }
  Endpoint& me() { return conn->ep[side]; }
  Endpoint& peer() { return conn->ep[1 - side]; }
};

struct Network {
  Network(world::Scheduler& w, SimNetworkOptions o) : world(w), options(o) {}

  world::Scheduler& world;
  SimNetworkOptions options;
  std::deque<Sock> socks;  // by slot; a deque keeps references stable
  std::vector<std::uint32_t> free_slots;
  std::map<std::uint64_t, Port> ports;  // by id; a closed port is erased
  std::uint64_t next_port = 1;
  std::uint16_t next_ephemeral = 49152;
  std::size_t pending_ops = 0;
  std::set<std::uint64_t> timers;  // the network's timers not yet fired, cancelled if it goes first

  // A timer of the network's: forgotten once fired.
  void at(us when, std::function<void()> fn);
};

}  // namespace iocpsim::iocp::sim
