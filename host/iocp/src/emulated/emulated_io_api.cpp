// EmulatedIoApi's lifetime, its leak report and the per-thread last error. The Win32 calls
// live in the file named after their mechanism (completion_port.cpp, overlapped_socket.cpp,
// connect_accept.cpp, blocking_socket.cpp, cancel.cpp).
#include "emulation.hpp"

namespace iocpsim::iocp {

EmulatedIoApi::EmulatedIoApi() : emu_(std::make_unique<detail::Emulation>()) {}

EmulatedIoApi::~EmulatedIoApi() = default;

// Not a Win32 call: what the emulation still holds, for the leak check tests end with.
Outstanding EmulatedIoApi::outstanding() const {
  Outstanding out;
  emu_->ports.for_each([&](std::uint32_t, const detail::Port& port) {
    if (!port.is_open()) return;
    ++out.open_ports;
    out.queued_packets += port.queued();
  });
  emu_->sockets.for_each([&](std::uint32_t, detail::SocketState& sock) {
    std::lock_guard lock(sock.mutex);
    if (sock.open) ++out.open_sockets;
  });
  out.pending_ops = emu_->pending_ops.load(std::memory_order_relaxed);
  return out;
}

// ---- GetLastError / SetLastError / WSAGetLastError / WSASetLastError ----
// One per-thread value behind both pairs, as in the Windows TEB.
DWORD EmulatedIoApi::GetLastError() { return detail::last_error(); }

void EmulatedIoApi::SetLastError(DWORD dwErrCode) { detail::last_error() = dwErrCode; }

int EmulatedIoApi::WSAGetLastError() { return static_cast<int>(detail::last_error()); }

void EmulatedIoApi::WSASetLastError(int iError) { detail::set_wsa_error(iError); }

}  // namespace iocpsim::iocp
