// The state behind one EmulatedIoApi, and the helpers every mechanism file shares.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "completion_port.hpp"
#include "host_socket.hpp"
#include "iocpsim/iocp/emulated_io_api.hpp"
#include "reactor.hpp"
#include "slot_table.hpp"
#include "socket_state.hpp"

namespace iocpsim::iocp::detail {

struct Emulation {
  Emulation();
  ~Emulation();
  Emulation(const Emulation&) = delete;
  Emulation& operator=(const Emulation&) = delete;

  HostStack host_stack;  // first member: up before the reactor's sockets, down after them
  SlotTable<Port> ports;
  SlotTable<SocketState> sockets;
  std::atomic<std::size_t> pending_ops{0};
  std::unique_ptr<Reactor> reactor;  // last member: stopped before the tables go
};

// The calling thread's last-error value, shared by GetLastError and WSAGetLastError. Inline, so
// that reading it is one thread-local load: the fault shim reads it before every pass-through
// GetQueuedCompletionStatus.
inline DWORD& last_error() {
  thread_local DWORD value = ERROR_SUCCESS;
  return value;
}
inline void set_wsa_error(int code) { last_error() = static_cast<DWORD>(code); }

// ---- handle values ----
// Ports: generation in the high half, a tag bit, and the slot, so that a closed port's handle
// stays invalid (ERROR_INVALID_HANDLE) even after its slot is reused.
// Sockets: small multiples of 4 from a slot reused newest-first, so values come back after
// closesocket as they do on Windows.
HANDLE port_handle(std::uint32_t slot, std::uint32_t generation);
struct PortRef {
  Port* port = nullptr;
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;
};
// A port that this handle may name (check is_open(generation) under its lock), or nullptr port.
PortRef find_port(Emulation& emu, HANDLE handle);

SOCKET socket_value(std::uint32_t slot);
// The socket slot this value names, or nullptr. The caller locks it and checks `open`.
SocketState* find_socket(Emulation& emu, SOCKET s);
std::uint32_t socket_slot(SOCKET s);
std::uint64_t reactor_token(std::uint32_t slot, std::uint32_t generation);

// Registers a new host socket (non-blocking) as an emulated one; INVALID_SOCKET and the
// Winsock error set if the table is full.
SOCKET adopt_fd(Emulation& emu, HostSocket fd, bool connected);

// CreateIoCompletionPort with a socket: binds it to the port under the key (once only).
HANDLE associate_socket(Emulation& emu, HANDLE socket, HANDLE port, ULONG_PTR key);

// ---- completion delivery (socket locked) ----
// Posts the packet to the socket's port, or, for a socket with no port, writes the result
// into the OVERLAPPED. Never touches the OVERLAPPED after posting (R15).
void deliver(Emulation& emu, SocketState& sock, OVERLAPPED* ov, NTSTATUS status, DWORD bytes);
// Completes a parked op: releases its pending count and delivers.
void complete_parked(Emulation& emu, SocketState& sock, const PendingOp& op, NTSTATUS status);
// Parks an op, arms the reactor for it and reports WSA_IO_PENDING.
void park(Emulation& emu, SocketState& sock, std::deque<PendingOp>& queue, PendingOp&& op);
// Arms the reactor for whatever is parked on the socket, if it is not armed for it already.
void update_interest(Emulation& emu, SocketState& sock);
// Fails every op parked on the socket: receives and sends with transfer_status, connects and
// accepts with setup_status (reset, local close).
void fail_all_parked(Emulation& emu, SocketState& sock, NTSTATUS transfer_status, NTSTATUS setup_status);

// Copies a WSABUF array into op.buffers; its total length into op.total_bytes.
void copy_buffers(PendingOp& op, const WSABUF* buffers, DWORD count);

// Called on the reactor thread.
void on_socket_ready(void* emu, std::uint64_t token, std::uint32_t ready_bits);
void service_receives(Emulation& emu, SocketState& sock);
void service_sends(Emulation& emu, SocketState& sock);
void service_connect(Emulation& emu, SocketState& sock);
void service_accepts(Emulation& emu, SocketState& sock);

}  // namespace iocpsim::iocp::detail
