// SimIoApi: the calls, over the in-memory network of network.hpp. See sim_io_api.hpp.
#include "iocpsim/iocp/sim_io_api.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "../emulated/error_map.hpp"
#include "iocpsim/world/sync.hpp"
#include "network.hpp"

namespace iocpsim::iocp {
namespace sim {
namespace {

// Each simulated thread's own (the threads of a simulated run share one OS thread).
DWORD last_error() noexcept { return static_cast<DWORD>(world::thread_last_error()); }
void set_last_error(DWORD e) noexcept { world::thread_last_error() = static_cast<std::uint32_t>(e); }

constexpr SOCKET kFirstSocket = 0x100;
constexpr std::uintptr_t kFirstPortHandle = 0x10000;
constexpr int kBacklogMax = 200;
constexpr int kBufferMin = 4096;  // a buffer set smaller (0 included) holds this much

int fail_now(int wsa) {
  set_last_error(static_cast<DWORD>(wsa));
  return SOCKET_ERROR;
}
BOOL fail_false(int wsa) {
  set_last_error(static_cast<DWORD>(wsa));
  return FALSE;
}

SOCKET handle_of(std::uint32_t slot) { return kFirstSocket + 4 * static_cast<SOCKET>(slot); }
HANDLE port_handle(std::uint64_t id) { return reinterpret_cast<HANDLE>(kFirstPortHandle + 8 * id); }

bool same_address(const sockaddr_in& a, const sockaddr_in& b) {
  return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
}

bool ntstatus_pending(const OVERLAPPED* ov) { return ntstatus_of(ov->Internal) == STATUS_PENDING; }

void begin_op(OVERLAPPED* ov) {
  ov->Internal = static_cast<DWORD>(STATUS_PENDING);
  ov->InternalHigh = 0;
}

}  // namespace

void Network::at(us when, std::function<void()> fn) {
  auto id = std::make_shared<std::uint64_t>(0);
  *id = world.add_timer(when, [this, id, fn = std::move(fn)] {
    timers.erase(*id);
    fn();
  });
  timers.insert(*id);
}

// Everything below works on one Network; a class so the helpers share it without passing it.
class Calls {
 public:
  explicit Calls(Network& n) : net(n) {}

  Network& net;

  us now() const { return net.world.now(); }
  void point(const char* what) {
    if (world::current_scheduler() != &net.world) {
      throw std::logic_error(std::string("SimIoApi::") + what + " called from a thread outside its simulated world");
    }
    net.world.point(what);
  }
  void notify(const Sock& s) { net.world.wake_all(&s); }

  Sock* find(SOCKET s) {
    if (s < kFirstSocket || (s - kFirstSocket) % 4 != 0) return nullptr;
    const auto slot = static_cast<std::size_t>((s - kFirstSocket) / 4);
    if (slot >= net.socks.size() || !net.socks[slot].open) return nullptr;
    return &net.socks[slot];
  }
  Sock* find(HANDLE h) { return find(reinterpret_cast<SOCKET>(h)); }
  static std::uint32_t slot_of(const Sock& s) { return s.slot; }
  Sock* owner(const Endpoint& e) {
    return e.owner >= 0 && static_cast<std::size_t>(e.owner) < net.socks.size()
               ? &net.socks[static_cast<std::size_t>(e.owner)]
               : nullptr;
  }
  Port* find_port(HANDLE h) {
    const auto v = reinterpret_cast<std::uintptr_t>(h);
    if (v < kFirstPortHandle || (v - kFirstPortHandle) % 8 != 0) return nullptr;
    const auto it = net.ports.find((v - kFirstPortHandle) / 8);
    return it == net.ports.end() ? nullptr : &it->second;
  }

  // ---- ports ----

  void port_post(Port& p, const Packet& packet) {
    if (!p.waiters.empty()) {
      Waiter* w = p.waiters.back();
      p.waiters.pop_back();
      w->packet = packet;
      w->got = true;
      net.world.wake(w->thread);
      return;
    }
    p.queue.push_back(packet);
  }

  // Up to `max` packets: at once if queued, else the first that comes within the timeout.
  // Returns the count, or 0 with the error (timeout, abandoned, invalid).
  std::size_t dequeue(HANDLE h, Packet* out, std::size_t max, DWORD timeout_ms, DWORD& error) {
    Port* p = find_port(h);
    if (p == nullptr) {
      error = ERROR_INVALID_HANDLE;
      return 0;
    }
    std::size_t n = 0;
    while (n < max && !p->queue.empty()) {
      out[n++] = p->queue.front();
      p->queue.pop_front();
    }
    if (n > 0) return n;
    if (timeout_ms == 0) {
      error = WAIT_TIMEOUT;
      return 0;
    }
    Waiter w;
    w.thread = net.world.self();
    p->waiters.push_back(&w);
    const std::optional<us> deadline =
        timeout_ms == INFINITE ? std::nullopt : std::optional<us>(now() + std::chrono::milliseconds(timeout_ms));
    while (!w.got && !w.abandoned) {
      if (!net.world.block(&w, deadline, "dequeue")) break;
    }
    if (w.abandoned) {
      error = ERROR_ABANDONED_WAIT_0;
      return 0;
    }
    if (!w.got) {
      Port* still = find_port(h);  // the same port: a closed one abandons its waiters
      auto& ws = still->waiters;
      ws.erase(std::remove(ws.begin(), ws.end(), &w), ws.end());
      error = WAIT_TIMEOUT;
      return 0;
    }
    out[0] = w.packet;
    return 1;
  }

  static void write_result(const Packet& p) {
    if (p.io && p.overlapped != nullptr) {
      p.overlapped->Internal = static_cast<DWORD>(p.status);
      p.overlapped->InternalHigh = p.bytes;
    }
  }

  // The completion of an op of `s`: a packet on its port, or (no port) the result in the OVERLAPPED.
  void deliver(Sock& s, OVERLAPPED* ov, NTSTATUS status, DWORD bytes) {
    if (s.port_id == 0) {
      ov->Internal = static_cast<DWORD>(status);
      ov->InternalHigh = bytes;
      return;
    }
    const auto it = net.ports.find(s.port_id);
    if (it == net.ports.end()) return;  // the port was closed: Windows frees the packet
    port_post(it->second, Packet{s.key, ov, bytes, status, true});
  }

  void complete(Sock& s, const Op& op, NTSTATUS status, DWORD bytes) {
    --net.pending_ops;
    deliver(s, op.overlapped, status, bytes);
  }

  // An op done at once (R9): the packet, unless the socket skips the port on success (R9b).
  void finish_now(Sock& s, OVERLAPPED* ov, DWORD bytes, LPDWORD bytes_out) {
    if (bytes_out != nullptr) *bytes_out = bytes;
    if (s.skip_on_success) {
      ov->Internal = STATUS_SUCCESS;
      ov->InternalHigh = bytes;
      return;
    }
    deliver(s, ov, STATUS_SUCCESS, bytes);
    point("queued at once");  // another worker may take the packet before the call returns (R15)
  }

  void fail_queue(Sock& s, std::deque<Op>& q, NTSTATUS status) {
    while (!q.empty()) {
      const Op op = std::move(q.front());
      q.pop_front();
      complete(s, op, status, static_cast<DWORD>(op.kind == OpKind::send ? op.accepted : 0));
    }
  }

  // ---- the wire ----

  static std::size_t copy_out(Endpoint& e, const Op& op) {
    std::size_t n = 0;
    for (const WSABUF& b : op.buffers) {
      std::size_t i = 0;
      while (i < b.len && !e.rx.empty()) {
        b.buf[i++] = static_cast<CHAR>(e.rx.front());
        e.rx.pop_front();
      }
      n += i;
      if (e.rx.empty()) break;
    }
    return n;
  }

  void arm_transmit(const std::shared_ptr<Conn>& c, int from) {
    Endpoint& a = c->ep[from];
    if (a.transmit_armed || a.reset) return;
    if (a.tx.empty() && !(a.fin_queued && !a.fin_sent)) return;
    a.transmit_armed = true;
    net.at(now() + net.options.latency, [this, c, from] { transmit(c, from); });
  }

  // Bytes (and then the FIN) move from `from`'s send buffer into the peer's receive buffer, as
  // much as it has room for; the rest waits for the reader to make room.
  void transmit(const std::shared_ptr<Conn>& c, int from) {
    Endpoint& a = c->ep[from];
    Endpoint& b = c->ep[1 - from];
    a.transmit_armed = false;
    if (a.reset || b.reset) return;
    if (b.owner == kClosed) {
      if (!a.tx.empty()) {  // data for a closed socket: it answers with RST
        a.tx.clear();
        send_rst(c, 1 - from);
      }
      return;
    }
    const std::size_t room = b.rx_cap > b.rx.size() ? b.rx_cap - b.rx.size() : 0;
    const std::size_t n = std::min(room, a.tx.size());
    for (std::size_t i = 0; i < n; ++i) {
      b.rx.push_back(a.tx.front());
      a.tx.pop_front();
    }
    bool fin = false;
    if (a.tx.empty() && a.fin_queued && !a.fin_sent) {
      a.fin_sent = true;
      b.fin_in = true;
      fin = true;
    }
    if (Sock* r = owner(b); r != nullptr && (n > 0 || fin)) {
      service_recvs(*r);
      notify(*r);
    }
    if (Sock* w = owner(a); w != nullptr && n > 0) {
      service_sends(*w);
      notify(*w);
    }
    if (!a.tx.empty() && n > 0) arm_transmit(c, from);  // more fits once the reader makes room
  }

  void send_rst(const std::shared_ptr<Conn>& c, int from) {
    Endpoint& me = c->ep[from];
    me.reset = true;
    me.tx.clear();
    net.at(now() + net.options.latency, [this, c, from] { reset_arrives(c, 1 - from); });
  }

  void reset_arrives(const std::shared_ptr<Conn>& c, int to) {
    Endpoint& e = c->ep[to];
    if (e.reset) return;
    e.reset = true;
    e.rx.clear();
    e.tx.clear();
    if (Sock* s = owner(e)) {
      fail_queue(*s, s->recvs, STATUS_CONNECTION_RESET);  // R5
      fail_queue(*s, s->sends, STATUS_CONNECTION_RESET);  // R5d: with the bytes taken so far
      notify(*s);
    }
  }

  void service_recvs(Sock& s) {
    if (!s.connected) return;
    Endpoint& e = s.me();
    while (!s.recvs.empty() && !e.reset) {
      const Op& op = s.recvs.front();
      std::size_t n = 0;
      if (op.total == 0) {
        if (e.rx.empty() && !e.fin_in) break;  // R13: a zero-byte receive waits for data, takes none
      } else if (!e.rx.empty()) {
        n = copy_out(e, op);
      } else if (!e.fin_in) {
        break;
      }
      const Op done = std::move(s.recvs.front());
      s.recvs.pop_front();
      complete(s, done, STATUS_SUCCESS, static_cast<DWORD>(n));  // R1, or R4 with 0 bytes
      if (n > 0) arm_transmit(s.conn, 1 - s.side);               // room again: the peer's bytes may move
    }
  }

  // Moves bytes of pending sends into the send buffer; a send completes once all of it is in.
  void service_sends(Sock& s) {
    if (!s.connected) return;
    Endpoint& e = s.me();
    while (!s.sends.empty() && !e.reset) {
      Op& op = s.sends.front();
      const std::size_t room = e.tx_cap > e.tx.size() ? e.tx_cap - e.tx.size() : 0;
      const std::size_t n = std::min(room, op.data.size() - op.accepted);
      e.tx.insert(e.tx.end(), op.data.begin() + static_cast<std::ptrdiff_t>(op.accepted),
                  op.data.begin() + static_cast<std::ptrdiff_t>(op.accepted + n));
      op.accepted += n;
      if (n > 0) arm_transmit(s.conn, s.side);
      if (op.accepted < op.data.size()) break;
      const Op done = std::move(s.sends.front());
      s.sends.pop_front();
      complete(s, done, STATUS_SUCCESS, static_cast<DWORD>(done.data.size()));
    }
  }

  // ---- connection set-up ----

  Sock* find_listener(const sockaddr_in& to) {
    for (Sock& s : net.socks) {
      if (!s.open || !s.listening || s.local.sin_port != to.sin_port) continue;
      if (s.local.sin_addr.s_addr == htonl(INADDR_ANY) || s.local.sin_addr.s_addr == to.sin_addr.s_addr) return &s;
    }
    return nullptr;
  }

  // Whether the connect attempt `attempt` of socket `slot` is still the one in progress.
  Sock* connecting(std::uint32_t slot, std::uint32_t generation, std::uint64_t attempt) {
    if (slot >= net.socks.size()) return nullptr;
    Sock& s = net.socks[slot];
    if (!s.open || s.generation != generation || !s.connecting || s.connect_attempt != attempt) return nullptr;
    return &s;
  }

  void end_connect(Sock& s, NTSTATUS status) {
    s.connecting = false;
    s.connect_result = status;
    if (!s.connects.empty()) {
      const Op op = std::move(s.connects.front());
      s.connects.pop_front();
      if (status == STATUS_SUCCESS && !op.data.empty()) {
        s.me().tx.insert(s.me().tx.end(), op.data.begin(), op.data.end());
        arm_transmit(s.conn, s.side);
      }
      complete(s, op, status, status == STATUS_SUCCESS ? static_cast<DWORD>(op.data.size()) : 0);
    }
    notify(s);
  }

  // A SYN (or its retransmission, `tries` so far) reaches the address. Windows retries an
  // unanswered SYN after 3 s and 6 s more and gives up at 21 s (121); a refusal (RST) counts only
  // after its retries too, about 2 s on loopback (1225).
  void syn_arrives(std::uint32_t slot, std::uint32_t generation, std::uint64_t attempt, us started, int tries) {
    Sock* s = connecting(slot, generation, attempt);
    if (s == nullptr) return;
    Sock* l = find_listener(s->remote);
    const auto retry_or_give_up = [&] {
      const us unanswered = net.options.unanswered_after;
      const us next = tries == 1 ? unanswered / 7 : unanswered * 3 / 7;
      if (tries < 3 && started + next < started + unanswered) {
        net.at(started + next, [=, this] { syn_arrives(slot, generation, attempt, started, tries + 1); });
      } else {
        net.at(started + unanswered, [=, this] {
          if (Sock* still = connecting(slot, generation, attempt)) end_connect(*still, STATUS_IO_TIMEOUT);
        });
      }
    };
    if (l == nullptr || l->mode == SimListenMode::refusing || l->refuse_count > 0) {
      if (l != nullptr && l->refuse_count > 0 && --l->refuse_count == 0) l->mode = SimListenMode::accepting;
      if (l != nullptr && l->refusal_port != 0) {
        if (const auto p = net.ports.find(l->refusal_port); p != net.ports.end()) {
          port_post(p->second, Packet{l->refusal_key, nullptr, 1, STATUS_SUCCESS, false});
        }
      }
      net.at(std::max(now(), started + net.options.refused_after), [=, this] {
        if (Sock* still = connecting(slot, generation, attempt)) end_connect(*still, STATUS_CONNECTION_REFUSED);
      });
      return;
    }
    if (l->mode == SimListenMode::withholding ||
        (l->accepts.empty() && l->backlog_q.size() >= static_cast<std::size_t>(l->backlog))) {
      retry_or_give_up();  // dropped: the SYN goes unanswered
      return;
    }
    const std::uint32_t l_slot = slot_of(*l);
    const std::uint32_t l_gen = l->generation;
    net.at(now() + net.options.latency, [=, this] { establish(slot, generation, attempt, l_slot, l_gen); });
  }

  void establish(std::uint32_t slot, std::uint32_t generation, std::uint64_t attempt, std::uint32_t l_slot,
                 std::uint32_t l_gen) {
    Sock* s = connecting(slot, generation, attempt);
    if (s == nullptr) return;
    Sock& l = net.socks[l_slot];
    if (!l.open || l.generation != l_gen || !l.listening) {
      end_connect(*s, STATUS_CONNECTION_REFUSED);
      return;
    }
    auto c = std::make_shared<Conn>();
    c->ep[0].owner = slot;
    c->ep[0].rx_cap = static_cast<std::size_t>(std::max(s->rcvbuf, kBufferMin));
    c->ep[0].tx_cap = static_cast<std::size_t>(std::max(s->sndbuf, kBufferMin));
    c->ep[1].owner = kUnaccepted;
    c->ep[1].rx_cap = static_cast<std::size_t>(std::max(l.rcvbuf, kBufferMin));
    c->ep[1].tx_cap = static_cast<std::size_t>(std::max(l.sndbuf, kBufferMin));
    s->conn = c;
    s->side = 0;
    s->connected = true;
    l.backlog_q.push_back(c);
    service_accepts(l);
    notify(l);
    end_connect(*s, STATUS_SUCCESS);
  }

  void give_connection(Sock& l, Sock& target, const std::shared_ptr<Conn>& c) {
    target.conn = c;
    target.side = 1;
    target.connected = true;
    target.bound = true;
    target.local = l.local;
    if (const Sock* client = owner(c->ep[0])) {
      target.remote = client->local;
      if (target.local.sin_addr.s_addr == htonl(INADDR_ANY)) target.local.sin_addr = client->remote.sin_addr;
    }
    target.rcvbuf = l.rcvbuf;
    target.sndbuf = l.sndbuf;
    c->ep[1].owner = slot_of(target);
    if (c->ep[1].reset) return;
    service_recvs(target);
  }

  void service_accepts(Sock& l) {
    while (!l.accepts.empty() && !l.backlog_q.empty()) {
      const Op op = std::move(l.accepts.front());
      l.accepts.pop_front();
      const std::shared_ptr<Conn> c = l.backlog_q.front();
      l.backlog_q.pop_front();
      Sock& target = net.socks[op.accept_slot];
      if (!target.open || target.generation != op.accept_generation) {
        send_rst(c, 1);
        complete(l, op, STATUS_CANCELLED, 0);
        continue;
      }
      give_connection(l, target, c);
      write_addresses(op, target);
      complete(l, op, STATUS_SUCCESS, 0);
    }
  }

  static void write_addresses(const Op& op, const Sock& target) {
    std::memcpy(op.address_buffer, &target.local, sizeof(sockaddr_in));
    std::memcpy(op.address_buffer + op.local_bytes, &target.remote, sizeof(sockaddr_in));
  }

  std::uint32_t new_socket() {
    std::uint32_t slot = 0;
    if (!net.free_slots.empty()) {
      slot = net.free_slots.back();
      net.free_slots.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(net.socks.size());
      net.socks.emplace_back();
    }
    Sock& s = net.socks[slot];
    const std::uint32_t generation = s.generation + 1;
    s = Sock{};
    s.slot = slot;
    s.generation = generation;
    s.open = true;
    s.rcvbuf = net.options.buffer_bytes;
    s.sndbuf = net.options.buffer_bytes;
    return slot;
  }

  int start_connect(Sock& s, const sockaddr* name, int namelen, const void* data, DWORD data_bytes, OVERLAPPED* ov) {
    if (name == nullptr || namelen < static_cast<int>(sizeof(sockaddr_in)) || name->sa_family != AF_INET) {
      return WSAEFAULT;
    }
    if (!s.bound || s.listening) return WSAEINVAL;
    if (s.connected) return WSAEISCONN;
    if (s.connecting) return WSAEALREADY;
    std::memcpy(&s.remote, name, sizeof(sockaddr_in));
    Op op;
    op.kind = OpKind::connect;
    op.overlapped = ov;
    if (data != nullptr && data_bytes > 0) {
      const auto* bytes = static_cast<const std::uint8_t*>(data);
      op.data.assign(bytes, bytes + data_bytes);
    }
    s.connecting = true;
    s.connect_result.reset();
    const std::uint64_t attempt = ++s.connect_attempt;
    if (ov != nullptr) {
      s.connects.push_back(std::move(op));
      ++net.pending_ops;
    }
    const std::uint32_t slot = slot_of(s);
    const std::uint32_t generation = s.generation;
    const us started = now();
    net.at(started + net.options.latency, [=, this] { syn_arrives(slot, generation, attempt, started, 1); });
    return 0;
  }

  void close(Sock& s) {
    const std::uint32_t slot = slot_of(s);
    if (s.listening) {
      fail_queue(s, s.accepts, STATUS_CANCELLED);  // R6b
      for (const auto& c : s.backlog_q) send_rst(c, 1);
      s.backlog_q.clear();
    }
    if (s.connecting) fail_queue(s, s.connects, STATUS_CANCELLED);
    if (s.connected) {
      Endpoint& me = s.me();
      // R6c: a close with ops outstanding (or with SO_LINGER 0, or unread bytes) resets.
      const bool abortive = s.linger_zero || s.pending() > 0 || !me.rx.empty();
      fail_queue(s, s.recvs, STATUS_CONNECTION_ABORTED);  // R6
      fail_queue(s, s.sends, STATUS_CONNECTION_ABORTED);
      if (!me.reset) {
        if (abortive) {
          send_rst(s.conn, s.side);
        } else if (!me.fin_queued) {
          me.fin_queued = true;
          arm_transmit(s.conn, s.side);
        }
      }
      me.owner = kClosed;
    }
    s.open = false;
    s.conn.reset();
    net.free_slots.push_back(slot);
    notify(s);
  }

  int transfer_problem(Sock& s, bool sending) {
    if (s.connected && s.me().reset) return WSAECONNRESET;  // R5b
    if (!s.connected) return WSAENOTCONN;
    if (sending ? s.shut_send : s.shut_recv) return WSAESHUTDOWN;
    return 0;
  }

  // Waits in the world until `ready()`, or the socket closes (false).
  template <class Ready>
  bool wait(Sock& s, Ready ready) {
    while (!ready()) {
      if (!s.open) return false;
      net.world.block(&s, std::nullopt, "blocking call");
    }
    return s.open;
  }
};

// The network and the calls on it, in one place that outlives every timer the calls set.
struct State {
  State(world::Scheduler& w, SimNetworkOptions o) : net(w, o), calls(net) {}
  Network net;
  Calls calls;
};

}  // namespace sim

using sim::Calls;
using sim::Op;
using sim::OpKind;
using sim::Packet;
using sim::Sock;

SimIoApi::SimIoApi(world::Scheduler& world, SimNetworkOptions options)
    : state_(std::make_unique<sim::State>(world, options)) {}

SimIoApi::~SimIoApi() {
  for (const std::uint64_t id : state_->net.timers) state_->net.world.cancel_timer(id);
}

Outstanding SimIoApi::outstanding() const {
  Outstanding out;
  out.open_ports = state_->net.ports.size();
  for (const auto& [id, port] : state_->net.ports) out.queued_packets += port.queue.size();
  for (const Sock& s : state_->net.socks) out.open_sockets += s.open ? 1 : 0;
  out.pending_ops = state_->net.pending_ops;
  return out;
}

bool SimIoApi::set_listen_mode(SOCKET s, SimListenMode mode) {
  Sock* sock = state_->calls.find(s);
  if (sock == nullptr || !sock->listening) return false;
  sock->mode = mode;
  return true;
}

bool SimIoApi::refuse_next(SOCKET s, std::uint32_t count) {
  Sock* sock = state_->calls.find(s);
  if (sock == nullptr || !sock->listening) return false;
  sock->refuse_count = count;
  return true;
}

bool SimIoApi::notify_refusals(SOCKET s, HANDLE port, ULONG_PTR key) {
  Calls& c = state_->calls;
  Sock* sock = c.find(s);
  if (sock == nullptr || !sock->listening) return false;
  if (port == nullptr) {
    sock->refusal_port = 0;
    return true;
  }
  if (c.find_port(port) == nullptr) return false;
  sock->refusal_port = (reinterpret_cast<std::uintptr_t>(port) - sim::kFirstPortHandle) / 8;
  sock->refusal_key = key;
  return true;
}

// ---- the last error: one per thread, behind both pairs ----
DWORD SimIoApi::GetLastError() { return sim::last_error(); }
void SimIoApi::SetLastError(DWORD dwErrCode) { sim::set_last_error(dwErrCode); }
int SimIoApi::WSAGetLastError() { return static_cast<int>(sim::last_error()); }
void SimIoApi::WSASetLastError(int iError) { sim::set_last_error(static_cast<DWORD>(iError)); }

// ---- ports: R1 R2 R3 R11 R14 ----

HANDLE SimIoApi::CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort, ULONG_PTR CompletionKey,
                                        DWORD NumberOfConcurrentThreads) {
  (void)NumberOfConcurrentThreads;
  Calls& c = state_->calls;
  c.point("CreateIoCompletionPort");
  if (FileHandle == INVALID_HANDLE_VALUE && ExistingCompletionPort != nullptr) {
    sim::set_last_error(ERROR_INVALID_PARAMETER);
    return nullptr;
  }
  std::uint64_t id = 0;
  if (ExistingCompletionPort == nullptr) {
    id = state_->net.next_port++;
    state_->net.ports.emplace(id, sim::Port{});
  } else {
    if (c.find_port(ExistingCompletionPort) == nullptr) {
      sim::set_last_error(ERROR_INVALID_HANDLE);
      return nullptr;
    }
    id = (reinterpret_cast<std::uintptr_t>(ExistingCompletionPort) - sim::kFirstPortHandle) / 8;
  }
  const HANDLE port = sim::port_handle(id);
  if (FileHandle == INVALID_HANDLE_VALUE) return port;
  Sock* s = c.find(FileHandle);
  const DWORD error = s == nullptr ? ERROR_INVALID_HANDLE : s->port_id != 0 ? ERROR_INVALID_PARAMETER : 0;
  if (error != 0) {
    if (ExistingCompletionPort == nullptr) state_->net.ports.erase(id);  // a port made for this call alone goes
    sim::set_last_error(error);
    return nullptr;
  }
  s->port_id = id;
  s->key = CompletionKey;
  return port;
}

BOOL SimIoApi::GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred,
                                         PULONG_PTR lpCompletionKey, LPOVERLAPPED* lpOverlapped, DWORD dwMilliseconds) {
  Calls& c = state_->calls;
  c.point("GetQueuedCompletionStatus");
  Packet p;
  DWORD error = 0;
  if (c.dequeue(CompletionPort, &p, 1, dwMilliseconds, error) == 0) {
    *lpOverlapped = nullptr;
    sim::set_last_error(error);
    return FALSE;
  }
  Calls::write_result(p);
  *lpNumberOfBytesTransferred = p.bytes;
  *lpCompletionKey = p.key;
  *lpOverlapped = p.overlapped;
  if (p.status < 0) {
    sim::set_last_error(detail::win32_from_status(p.status));
    return FALSE;
  }
  return TRUE;
}

BOOL SimIoApi::GetQueuedCompletionStatusEx(HANDLE CompletionPort, LPOVERLAPPED_ENTRY lpCompletionPortEntries,
                                           ULONG ulCount, PULONG ulNumEntriesRemoved, DWORD dwMilliseconds,
                                           BOOL fAlertable) {
  (void)fAlertable;  // no APCs in a simulated world (R14b cannot happen)
  Calls& c = state_->calls;
  c.point("GetQueuedCompletionStatusEx");
  if (ulCount == 0 || lpCompletionPortEntries == nullptr) {
    sim::set_last_error(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  std::vector<Packet> packets(ulCount);
  DWORD error = 0;
  const std::size_t n = c.dequeue(CompletionPort, packets.data(), ulCount, dwMilliseconds, error);
  if (n == 0) {
    *ulNumEntriesRemoved = 1;  // R2: set to 1 on FALSE, to be ignored
    sim::set_last_error(error);
    return FALSE;
  }
  for (std::size_t i = 0; i < n; ++i) {
    Calls::write_result(packets[i]);
    OVERLAPPED_ENTRY& e = lpCompletionPortEntries[i];
    e.lpCompletionKey = packets[i].key;
    e.lpOverlapped = packets[i].overlapped;
    e.Internal = static_cast<DWORD>(packets[i].status);
    e.dwNumberOfBytesTransferred = packets[i].bytes;
  }
  *ulNumEntriesRemoved = static_cast<ULONG>(n);
  return TRUE;
}

BOOL SimIoApi::PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred,
                                          ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped) {
  Calls& c = state_->calls;
  c.point("PostQueuedCompletionStatus");
  sim::Port* p = c.find_port(CompletionPort);
  if (p == nullptr) {
    sim::set_last_error(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  c.port_post(*p, Packet{dwCompletionKey, lpOverlapped, dwNumberOfBytesTransferred, STATUS_SUCCESS, false});
  return TRUE;
}

// R3: every waiter wakes with 735 and queued packets go; later calls on the handle get 6.
BOOL SimIoApi::CloseHandle(HANDLE hObject) {
  Calls& c = state_->calls;
  c.point("CloseHandle");
  sim::Port* p = c.find_port(hObject);
  if (p == nullptr) {
    sim::set_last_error(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  for (sim::Waiter* w : p->waiters) {
    w->abandoned = true;
    state_->net.world.wake(w->thread);
  }
  state_->net.ports.erase((reinterpret_cast<std::uintptr_t>(hObject) - sim::kFirstPortHandle) / 8);
  return TRUE;
}

BOOL SimIoApi::SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags) {
  Calls& c = state_->calls;
  c.point("SetFileCompletionNotificationModes");
  Sock* s = c.find(FileHandle);
  if (s == nullptr) {
    sim::set_last_error(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  s->skip_on_success = (Flags & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) != 0;
  return TRUE;
}

// ---- CancelIoEx — R7 ----
BOOL SimIoApi::CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped) {
  Calls& c = state_->calls;
  c.point("CancelIoEx");
  Sock* s = c.find(hFile);
  if (s == nullptr) {
    sim::set_last_error(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  bool any = false;
  for (auto* q : {&s->recvs, &s->sends, &s->connects, &s->accepts}) {
    for (auto it = q->begin(); it != q->end();) {
      if (lpOverlapped != nullptr && it->overlapped != lpOverlapped) {
        ++it;
        continue;
      }
      const Op op = std::move(*it);
      it = q->erase(it);
      if (op.kind == OpKind::connect) s->connecting = false;
      c.complete(*s, op, STATUS_CANCELLED, static_cast<DWORD>(op.kind == OpKind::send ? op.accepted : 0));
      any = true;
    }
  }
  if (!any) {
    sim::set_last_error(ERROR_NOT_FOUND);
    return FALSE;
  }
  c.notify(*s);
  return TRUE;
}

BOOL SimIoApi::EndPendingOp(HANDLE hFile, LPOVERLAPPED lpOverlapped, NTSTATUS status, DWORD bytes) {
  Calls& c = state_->calls;
  Sock* s = c.find(hFile);
  if (s == nullptr) return FALSE;
  for (auto* q : {&s->recvs, &s->sends, &s->connects, &s->accepts}) {
    for (auto it = q->begin(); it != q->end(); ++it) {
      if (it->overlapped != lpOverlapped) continue;
      const Op op = std::move(*it);
      q->erase(it);
      if (op.kind == OpKind::connect) s->connecting = false;
      c.complete(*s, op, status, bytes);
      return TRUE;
    }
  }
  return FALSE;
}

// ---- sockets ----

SOCKET SimIoApi::socket(int af, int type, int protocol) {
  Calls& c = state_->calls;
  c.point("socket");
  if (af != AF_INET) return sim::fail_now(WSAEAFNOSUPPORT), INVALID_SOCKET;
  if (type != SOCK_STREAM || (protocol != 0 && protocol != IPPROTO_TCP)) {
    return sim::fail_now(WSAESOCKTNOSUPPORT), INVALID_SOCKET;
  }
  return sim::handle_of(c.new_socket());
}

int SimIoApi::bind(SOCKET s, const sockaddr* name, int namelen) {
  Calls& c = state_->calls;
  c.point("bind");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  if (name == nullptr || namelen < static_cast<int>(sizeof(sockaddr_in)) || name->sa_family != AF_INET) {
    return sim::fail_now(WSAEFAULT);
  }
  if (sock->bound) return sim::fail_now(WSAEINVAL);
  sockaddr_in a{};
  std::memcpy(&a, name, sizeof a);
  if (a.sin_port == 0) {
    do {
      a.sin_port = htons(state_->net.next_ephemeral);
      state_->net.next_ephemeral =
          state_->net.next_ephemeral == 65535 ? 49152 : static_cast<std::uint16_t>(state_->net.next_ephemeral + 1);
    } while (std::any_of(state_->net.socks.begin(), state_->net.socks.end(),
                         [&](const Sock& o) { return o.open && o.bound && o.local.sin_port == a.sin_port; }));
  } else if (!sock->reuse_address) {
    for (const Sock& o : state_->net.socks) {
      if (o.open && o.bound && &o != sock && sim::same_address(o.local, a)) return sim::fail_now(WSAEADDRINUSE);
    }
  }
  sock->local = a;
  sock->bound = true;
  return 0;
}

int SimIoApi::listen(SOCKET s, int backlog) {
  Calls& c = state_->calls;
  c.point("listen");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  if (!sock->bound || sock->connected || sock->connecting) return sim::fail_now(WSAEINVAL);
  sock->listening = true;
  sock->backlog = std::clamp(backlog, 1, sim::kBacklogMax);
  return 0;
}

int SimIoApi::closesocket(SOCKET s) {
  Calls& c = state_->calls;
  c.point("closesocket");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  c.close(*sock);
  return 0;
}

int SimIoApi::shutdown(SOCKET s, int how) {
  Calls& c = state_->calls;
  c.point("shutdown");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  if (how < SD_RECEIVE || how > SD_BOTH) return sim::fail_now(WSAEINVAL);
  if (!sock->connected) return sim::fail_now(WSAENOTCONN);
  if (how != SD_SEND) sock->shut_recv = true;
  if (how != SD_RECEIVE && !sock->shut_send) {
    sock->shut_send = true;
    sim::Endpoint& me = sock->me();
    if (!me.reset && !me.fin_queued) {
      me.fin_queued = true;
      c.arm_transmit(sock->conn, sock->side);
    }
  }
  return 0;
}

int SimIoApi::setsockopt(SOCKET s, int level, int optname, const char* optval, int optlen) {
  Calls& c = state_->calls;
  c.point("setsockopt");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  if (level == SOL_SOCKET && (optname == SO_UPDATE_CONNECT_CONTEXT || optname == SO_UPDATE_ACCEPT_CONTEXT)) return 0;
  if (optval == nullptr) return sim::fail_now(WSAEFAULT);
  int value = 0;
  if (level == SOL_SOCKET && optname == SO_LINGER) {
    if (optlen < static_cast<int>(sizeof(linger))) return sim::fail_now(WSAEFAULT);
    linger l{};
    std::memcpy(&l, optval, sizeof l);
    sock->linger_zero = l.l_onoff != 0 && l.l_linger == 0;
    return 0;
  }
  if (optlen < static_cast<int>(sizeof(int))) return sim::fail_now(WSAEFAULT);
  std::memcpy(&value, optval, sizeof value);
  if (level == SOL_SOCKET && optname == SO_RCVBUF) {
    sock->rcvbuf = value;
  } else if (level == SOL_SOCKET && optname == SO_SNDBUF) {
    sock->sndbuf = value;
  } else if (level == SOL_SOCKET && optname == SO_REUSEADDR) {
    sock->reuse_address = value != 0;
  } else if (!((level == SOL_SOCKET && optname == SO_KEEPALIVE) || (level == IPPROTO_TCP && optname == TCP_NODELAY))) {
    return sim::fail_now(WSAENOPROTOOPT);
  }
  return 0;
}

int SimIoApi::getsockopt(SOCKET s, int level, int optname, char* optval, int* optlen) {
  Calls& c = state_->calls;
  c.point("getsockopt");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  if (optval == nullptr || optlen == nullptr || *optlen < static_cast<int>(sizeof(int)))
    return sim::fail_now(WSAEFAULT);
  int value = 0;
  if (level == SOL_SOCKET && optname == SO_RCVBUF) {
    value = sock->rcvbuf;
  } else if (level == SOL_SOCKET && optname == SO_SNDBUF) {
    value = sock->sndbuf;
  } else if (level == SOL_SOCKET && optname == SO_ERROR) {
    value = 0;
  } else if (level == SOL_SOCKET && optname == SO_TYPE) {
    value = SOCK_STREAM;
  } else {
    return sim::fail_now(WSAENOPROTOOPT);
  }
  std::memcpy(optval, &value, sizeof value);
  *optlen = sizeof value;
  return 0;
}

int SimIoApi::getsockname(SOCKET s, sockaddr* name, int* namelen) {
  Calls& c = state_->calls;
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  if (!sock->bound) return sim::fail_now(WSAEINVAL);
  if (name == nullptr || namelen == nullptr || *namelen < static_cast<int>(sizeof(sockaddr_in))) {
    return sim::fail_now(WSAEFAULT);
  }
  std::memcpy(name, &sock->local, sizeof(sockaddr_in));
  *namelen = sizeof(sockaddr_in);
  return 0;
}

int SimIoApi::getpeername(SOCKET s, sockaddr* name, int* namelen) {
  Calls& c = state_->calls;
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  if (!sock->connected) return sim::fail_now(WSAENOTCONN);
  if (name == nullptr || namelen == nullptr || *namelen < static_cast<int>(sizeof(sockaddr_in))) {
    return sim::fail_now(WSAEFAULT);
  }
  std::memcpy(name, &sock->remote, sizeof(sockaddr_in));
  *namelen = sizeof(sockaddr_in);
  return 0;
}

// ---- the blocking calls (test peers) ----

SOCKET SimIoApi::accept(SOCKET s, sockaddr* addr, int* addrlen) {
  Calls& c = state_->calls;
  c.point("accept");
  Sock* l = c.find(s);
  if (l == nullptr) return sim::fail_now(WSAENOTSOCK), INVALID_SOCKET;
  if (!l->listening) return sim::fail_now(WSAEINVAL), INVALID_SOCKET;
  if (!c.wait(*l, [&] { return !l->backlog_q.empty(); })) return sim::fail_now(WSAEINTR), INVALID_SOCKET;
  const std::shared_ptr<sim::Conn> conn = l->backlog_q.front();
  l->backlog_q.pop_front();
  const std::uint32_t slot = c.new_socket();
  Sock& target = state_->net.socks[slot];
  Sock& listener = *c.find(s);  // new_socket() may have grown the table; a deque keeps it in place
  c.give_connection(listener, target, conn);
  if (addr != nullptr && addrlen != nullptr && *addrlen >= static_cast<int>(sizeof(sockaddr_in))) {
    std::memcpy(addr, &target.remote, sizeof(sockaddr_in));
    *addrlen = sizeof(sockaddr_in);
  }
  return sim::handle_of(slot);
}

int SimIoApi::connect(SOCKET s, const sockaddr* name, int namelen) {
  Calls& c = state_->calls;
  c.point("connect");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  if (!sock->bound) {
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(s, reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0) return SOCKET_ERROR;
  }
  if (const int err = c.start_connect(*sock, name, namelen, nullptr, 0, nullptr); err != 0) return sim::fail_now(err);
  if (!c.wait(*sock, [&] { return !sock->connecting; })) return sim::fail_now(WSAEINTR);
  const NTSTATUS r = sock->connect_result.value_or(STATUS_CANCELLED);
  return r == STATUS_SUCCESS ? 0 : sim::fail_now(detail::wsa_from_status(r));
}

int SimIoApi::send(SOCKET s, const char* buf, int len, int flags) {
  (void)flags;
  Calls& c = state_->calls;
  c.point("send");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  if (len < 0 || (buf == nullptr && len > 0)) return sim::fail_now(WSAEFAULT);
  std::size_t done = 0;
  while (done < static_cast<std::size_t>(len)) {
    if (const int err = c.transfer_problem(*sock, true); err != 0) return sim::fail_now(err);
    sim::Endpoint& me = sock->me();
    const std::size_t room = me.tx_cap > me.tx.size() ? me.tx_cap - me.tx.size() : 0;
    if (room == 0 || !sock->sends.empty()) {
      const std::size_t before = me.tx.size();
      if (!c.wait(*sock, [&] { return me.reset || me.tx.size() < before || !sock->connected; })) {
        return sim::fail_now(WSAEINTR);
      }
      continue;
    }
    const std::size_t n = std::min(room, static_cast<std::size_t>(len) - done);
    me.tx.insert(me.tx.end(), buf + done, buf + done + n);
    done += n;
    c.arm_transmit(sock->conn, sock->side);
  }
  return len;
}

int SimIoApi::recv(SOCKET s, char* buf, int len, int flags) {
  (void)flags;
  Calls& c = state_->calls;
  c.point("recv");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  if (len < 0 || (buf == nullptr && len > 0)) return sim::fail_now(WSAEFAULT);
  if (const int err = c.transfer_problem(*sock, false); err != 0) return sim::fail_now(err);
  sim::Endpoint& me = sock->me();
  if (!c.wait(*sock, [&] { return me.reset || !me.rx.empty() || me.fin_in; })) return sim::fail_now(WSAEINTR);
  if (me.reset) return sim::fail_now(WSAECONNRESET);
  std::size_t n = 0;
  while (n < static_cast<std::size_t>(len) && !me.rx.empty()) {
    buf[n++] = static_cast<char>(me.rx.front());
    me.rx.pop_front();
  }
  if (n > 0) c.arm_transmit(sock->conn, 1 - sock->side);
  return static_cast<int>(n);
}

// ---- the overlapped calls ----

// ConnectEx — R12 (refused 1225 after ~2 s, unanswered 121 after ~21 s), R1. The socket must be
// bound first, as on Windows.
BOOL SimIoApi::ConnectEx(SOCKET s, const sockaddr* name, int namelen, PVOID lpSendBuffer, DWORD dwSendDataLength,
                         LPDWORD lpdwBytesSent, LPOVERLAPPED lpOverlapped) {
  (void)lpdwBytesSent;
  Calls& c = state_->calls;
  c.point("ConnectEx");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_false(WSAENOTSOCK);
  if (lpOverlapped == nullptr) return sim::fail_false(WSAEINVAL);
  sim::begin_op(lpOverlapped);
  if (const int err = c.start_connect(*sock, name, namelen, lpSendBuffer, dwSendDataLength, lpOverlapped); err != 0) {
    return sim::fail_false(err);
  }
  return sim::fail_false(WSA_IO_PENDING);
}

// AcceptEx — R6b, R9, R9b. dwReceiveDataLength must be 0 (accept only); the address areas get a
// plain sockaddr_in each, local first.
BOOL SimIoApi::AcceptEx(SOCKET sListenSocket, SOCKET sAcceptSocket, PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
                        DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength, LPDWORD lpdwBytesReceived,
                        LPOVERLAPPED lpOverlapped) {
  Calls& c = state_->calls;
  c.point("AcceptEx");
  if (dwReceiveDataLength != 0) return sim::fail_false(WSAEOPNOTSUPP);
  constexpr DWORD kAddressMin = sizeof(sockaddr_in) + 16;
  if (lpOverlapped == nullptr || lpOutputBuffer == nullptr || dwLocalAddressLength < kAddressMin ||
      dwRemoteAddressLength < kAddressMin) {
    return sim::fail_false(WSAEINVAL);
  }
  Sock* l = c.find(sListenSocket);
  Sock* target = c.find(sAcceptSocket);
  if (l == nullptr || target == nullptr) return sim::fail_false(WSAENOTSOCK);
  if (!l->listening || target->connected || target->listening) return sim::fail_false(WSAEINVAL);
  Op op;
  op.kind = OpKind::accept;
  op.overlapped = lpOverlapped;
  op.accept_slot = static_cast<std::uint32_t>((sAcceptSocket - sim::kFirstSocket) / 4);
  op.accept_generation = target->generation;
  op.address_buffer = static_cast<char*>(lpOutputBuffer);
  op.local_bytes = dwLocalAddressLength;
  sim::begin_op(lpOverlapped);
  if (l->accepts.empty() && !l->backlog_q.empty()) {
    const std::shared_ptr<sim::Conn> conn = l->backlog_q.front();
    l->backlog_q.pop_front();
    c.give_connection(*l, *target, conn);
    Calls::write_addresses(op, *target);
    c.finish_now(*l, lpOverlapped, 0, lpdwBytesReceived);
    return TRUE;
  }
  l->accepts.push_back(std::move(op));
  ++state_->net.pending_ops;
  return sim::fail_false(WSA_IO_PENDING);
}

// WSARecv — R1 R4 R5 R5b R9 R9b R10 R13.
int SimIoApi::WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
                      LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  Calls& c = state_->calls;
  c.point("WSARecv");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  if (lpOverlapped == nullptr || lpCompletionRoutine != nullptr) return sim::fail_now(WSAEOPNOTSUPP);
  // No buffer at all (not one empty buffer, which is a zero-byte receive, R13): Winsock refuses it.
  if (lpBuffers == nullptr || dwBufferCount == 0) return sim::fail_now(WSAEINVAL);
  if (const int err = c.transfer_problem(*sock, false); err != 0) return sim::fail_now(err);
  if (lpFlags != nullptr) *lpFlags = 0;
  Op op;
  op.kind = OpKind::recv;
  op.overlapped = lpOverlapped;
  op.buffers.assign(lpBuffers, lpBuffers + dwBufferCount);
  for (const WSABUF& b : op.buffers) op.total += b.len;
  sim::begin_op(lpOverlapped);
  sim::Endpoint& me = sock->me();
  if (sock->recvs.empty() && (!me.rx.empty() || me.fin_in)) {
    const std::size_t n = op.total == 0 ? 0 : Calls::copy_out(me, op);
    if (n > 0) c.arm_transmit(sock->conn, 1 - sock->side);
    c.finish_now(*sock, lpOverlapped, static_cast<DWORD>(n), lpNumberOfBytesRecvd);
    return 0;
  }
  sock->recvs.push_back(std::move(op));
  ++state_->net.pending_ops;
  return sim::fail_now(WSA_IO_PENDING);
}

// WSASend — R1 R5b R5d R9 R9b R10. A send completes once all its bytes are in the send buffer.
int SimIoApi::WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
                      LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  (void)dwFlags;
  Calls& c = state_->calls;
  c.point("WSASend");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_now(WSAENOTSOCK);
  if (lpOverlapped == nullptr || lpCompletionRoutine != nullptr || (lpBuffers == nullptr && dwBufferCount > 0)) {
    return sim::fail_now(WSAEOPNOTSUPP);
  }
  if (const int err = c.transfer_problem(*sock, true); err != 0) return sim::fail_now(err);
  Op op;
  op.kind = OpKind::send;
  op.overlapped = lpOverlapped;
  for (DWORD i = 0; i < dwBufferCount; ++i) {
    const auto* b = reinterpret_cast<const std::uint8_t*>(lpBuffers[i].buf);
    op.data.insert(op.data.end(), b, b + lpBuffers[i].len);
  }
  sim::begin_op(lpOverlapped);
  sim::Endpoint& me = sock->me();
  const std::size_t room = me.tx_cap > me.tx.size() ? me.tx_cap - me.tx.size() : 0;
  if (sock->sends.empty() && op.data.size() <= room) {
    me.tx.insert(me.tx.end(), op.data.begin(), op.data.end());
    c.arm_transmit(sock->conn, sock->side);
    c.finish_now(*sock, lpOverlapped, static_cast<DWORD>(op.data.size()), lpNumberOfBytesSent);
    return 0;
  }
  sock->sends.push_back(std::move(op));
  ++state_->net.pending_ops;
  c.service_sends(*sock);
  return sim::fail_now(WSA_IO_PENDING);
}

// R5c: the result the packet carried, in Winsock's codes.
BOOL SimIoApi::WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer, BOOL fWait,
                                      LPDWORD lpdwFlags) {
  Calls& c = state_->calls;
  c.point("WSAGetOverlappedResult");
  Sock* sock = c.find(s);
  if (sock == nullptr) return sim::fail_false(WSAENOTSOCK);
  if (lpOverlapped == nullptr) return sim::fail_false(WSAEFAULT);
  const auto pending = [&] { return sim::ntstatus_pending(lpOverlapped); };
  if (pending()) {
    if (!fWait) return sim::fail_false(WSA_IO_INCOMPLETE);
    c.wait(*sock, [&] { return !pending(); });
  }
  if (lpdwFlags != nullptr) *lpdwFlags = 0;
  if (lpcbTransfer != nullptr) *lpcbTransfer = static_cast<DWORD>(lpOverlapped->InternalHigh);
  const NTSTATUS status = ntstatus_of(lpOverlapped->Internal);
  if (status < 0) return sim::fail_false(detail::wsa_from_status(status));
  return TRUE;
}

}  // namespace iocpsim::iocp
