// The calls of IoApi, as the fault shim's rules and journal name them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace iocpsim::iocp {

// Every IoApi method, for the journal; rules watch the ones marked in allowed_calls().
enum class Call : std::uint8_t {
  CreateIoCompletionPort,
  GetQueuedCompletionStatus,
  GetQueuedCompletionStatusEx,
  PostQueuedCompletionStatus,
  CloseHandle,
  SetFileCompletionNotificationModes,
  CancelIoEx,
  socket,
  bind,
  listen,
  closesocket,
  shutdown,
  setsockopt,
  getsockopt,
  getsockname,
  getpeername,
  accept,
  connect,
  send,
  recv,
  AcceptEx,
  ConnectEx,
  WSARecv,
  WSASend,
  WSAGetOverlappedResult,
  kCount
};

using CallSet = std::uint32_t;
static_assert(static_cast<int>(Call::kCount) <= 32);
constexpr CallSet call_bit(Call c) { return CallSet{1} << static_cast<unsigned>(c); }

const char* call_name(Call c);
// Accepts the Win32 names and the short forms GQCS and GQCSEx.
std::optional<Call> call_from_name(std::string_view name);

}  // namespace iocpsim::iocp
