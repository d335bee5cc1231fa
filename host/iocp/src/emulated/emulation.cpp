// The emulation's shared machinery: handle values, socket registration, completion delivery
// and the reactor's entry point.
#include "emulation.hpp"

namespace iocpsim::iocp::detail {
namespace {

constexpr std::uintptr_t kPortTag = 0x40000000u;
constexpr std::uintptr_t kSocketBase = 0x100;

}  // namespace

Emulation::Emulation() : reactor(make_reactor(&on_socket_ready, this)) {}

Emulation::~Emulation() {
  reactor.reset();
  // Handles the program never closed: release the host descriptors, send no packets.
  sockets.for_each([](std::uint32_t, SocketState& sock) {
    std::lock_guard lock(sock.mutex);
    if (sock.open && sock.fd != kNoHostSocket) host_close(sock.fd);
    sock.open = false;
  });
}

HANDLE port_handle(std::uint32_t slot, std::uint32_t generation) {
  const std::uintptr_t value =
      (static_cast<std::uintptr_t>(generation) << 32) | kPortTag | (static_cast<std::uintptr_t>(slot + 1) << 2);
  return reinterpret_cast<HANDLE>(value);
}

PortRef find_port(Emulation& emu, HANDLE handle) {
  const auto value = reinterpret_cast<std::uintptr_t>(handle);
  if ((value & kPortTag) == 0 || (value & 3) != 0) return {};
  const std::uint64_t slot_plus_one = (value & (kPortTag - 1)) >> 2;
  if (slot_plus_one == 0) return {};
  const auto slot = static_cast<std::uint32_t>(slot_plus_one - 1);
  return {emu.ports.find(slot), slot, static_cast<std::uint32_t>(value >> 32)};
}

SOCKET socket_value(std::uint32_t slot) { return kSocketBase + SOCKET{slot} * 4; }

std::uint32_t socket_slot(SOCKET s) { return static_cast<std::uint32_t>((s - kSocketBase) / 4); }

SocketState* find_socket(Emulation& emu, SOCKET s) {
  if (s < kSocketBase || (s & 3) != 0 || s >= kPortTag) return nullptr;
  return emu.sockets.find(socket_slot(s));
}

std::uint64_t reactor_token(std::uint32_t slot, std::uint32_t generation) {
  return (std::uint64_t{generation} << 32) | slot;
}

SOCKET adopt_fd(Emulation& emu, HostSocket fd, bool connected) {
  const auto slot = emu.sockets.acquire();
  if (!slot) {
    host_close(fd);
    set_wsa_error(WSAEMFILE);
    return INVALID_SOCKET;
  }
  SocketState& sock = *emu.sockets.find(*slot);
  std::lock_guard lock(sock.mutex);
  sock.clear();
  // The generation survives reuse so that stale reactor tokens never match a new socket.
  static std::atomic<std::uint32_t> next_generation{0};
  sock.generation = ++next_generation;
  sock.open = true;
  sock.fd = fd;
  sock.connected = connected;
  sock.token = reactor_token(*slot, sock.generation);
  if (const int err = emu.reactor->watch(fd, sock.token); err != 0) {
    host_close(fd);
    sock.open = false;
    sock.fd = kNoHostSocket;
    emu.sockets.release(*slot);
    set_wsa_error(WSAENOBUFS);
    return INVALID_SOCKET;
  }
  return socket_value(*slot);
}

HANDLE associate_socket(Emulation& emu, HANDLE socket, HANDLE port, ULONG_PTR key) {
  SocketState* sock = find_socket(emu, reinterpret_cast<SOCKET>(socket));
  const PortRef ref = find_port(emu, port);
  if (sock == nullptr || ref.port == nullptr || !ref.port->is_open(ref.generation)) {
    last_error() = ERROR_INVALID_HANDLE;
    return nullptr;
  }
  std::lock_guard lock(sock->mutex);
  if (!sock->open) {
    last_error() = ERROR_INVALID_HANDLE;
    return nullptr;
  }
  if (sock->has_port) {  // a handle belongs to one port for life
    last_error() = ERROR_INVALID_PARAMETER;
    return nullptr;
  }
  sock->has_port = true;
  sock->port_slot = ref.slot;
  sock->port_generation = ref.generation;
  sock->key = key;
  return port;
}

void deliver(Emulation& emu, SocketState& sock, OVERLAPPED* ov, NTSTATUS status, DWORD bytes) {
  if (!sock.has_port) {
    // No port: the result is left in the OVERLAPPED for WSAGetOverlappedResult.
    ov->InternalHigh = bytes;
    ov->Internal = static_cast<DWORD>(status);
    return;
  }
  // A port that was closed drops the packet, as Windows frees it.
  emu.ports.find(sock.port_slot)->post(sock.port_generation, Packet{sock.key, ov, bytes, status, true});
}

void complete_parked(Emulation& emu, SocketState& sock, const PendingOp& op, NTSTATUS status) {
  emu.pending_ops.fetch_sub(1, std::memory_order_relaxed);
  deliver(emu, sock, op.overlapped, status, static_cast<DWORD>(op.done_bytes));
}

void park(Emulation& emu, SocketState& sock, std::deque<PendingOp>& queue, PendingOp&& op) {
  emu.pending_ops.fetch_add(1, std::memory_order_relaxed);
  queue.push_back(std::move(op));
  update_interest(emu, sock);
  set_wsa_error(WSA_IO_PENDING);
}

void update_interest(Emulation& emu, SocketState& sock) {
  std::uint32_t wanted = 0;
  if (!sock.receives.empty() || !sock.accepts.empty()) wanted |= kReadable;
  if (!sock.sends.empty() || !sock.connects.empty()) wanted |= kWritable;
  // Armed for more than is parked now costs at most one report that finds nothing to do.
  if ((wanted & ~sock.armed) == 0) return;
  emu.reactor->arm(sock.fd, sock.token, wanted);
  sock.armed = wanted;
}

void fail_all_parked(Emulation& emu, SocketState& sock, NTSTATUS transfer_status, NTSTATUS setup_status) {
  const auto fail = [&](std::deque<PendingOp>& queue, NTSTATUS status) {
    while (!queue.empty()) {
      const PendingOp op = std::move(queue.front());
      queue.pop_front();
      complete_parked(emu, sock, op, status);
    }
  };
  fail(sock.connects, setup_status);
  fail(sock.accepts, setup_status);
  fail(sock.receives, transfer_status);
  fail(sock.sends, transfer_status);
}

void copy_buffers(PendingOp& op, const WSABUF* buffers, DWORD count) {
  op.buffers.assign(buffers, count);
  op.total_bytes = 0;
  for (const WSABUF& b : op.buffers) op.total_bytes += b.len;
}

void on_socket_ready(void* context, std::uint64_t token, std::uint32_t ready_bits) {
  auto& emu = *static_cast<Emulation*>(context);
  SocketState* sock = emu.sockets.find(static_cast<std::uint32_t>(token));
  if (sock == nullptr) return;
  std::lock_guard lock(sock->mutex);
  if (!sock->open || sock->generation != static_cast<std::uint32_t>(token >> 32)) return;
  sock->armed = 0;  // a one-shot registration is spent once reported
  if (ready_bits & (kWritable | kErrorOrHangup)) service_connect(emu, *sock);
  if (ready_bits & (kReadable | kErrorOrHangup)) {
    service_accepts(emu, *sock);
    service_receives(emu, *sock);
  }
  if (ready_bits & (kWritable | kErrorOrHangup)) service_sends(emu, *sock);
  if (sock->open) update_interest(emu, *sock);
}

}  // namespace iocpsim::iocp::detail
