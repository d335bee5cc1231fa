// The names of the Win32 and Winsock errors and the NTSTATUS values the completion port and the
// socket calls answer with (docs/IOCP-SEMANTICS.md), for messages, logs and the timeline:
// "64 ERROR_NETNAME_DELETED", "0xC000020D STATUS_CONNECTION_RESET".
#pragma once

#include <cstdint>
#include <string>

namespace iocpsim::iocp {

// The symbolic name, or nullptr for a code the table does not hold.
const char* win32_error_name(std::uint32_t code) noexcept;  // "ERROR_NETNAME_DELETED", "WSAECONNRESET"
const char* ntstatus_name(std::uint32_t status) noexcept;   // "STATUS_CONNECTION_RESET"
// "64 ERROR_NETNAME_DELETED" (the number alone when it has no name).
std::string describe_win32_error(std::uint32_t code);
// "0xC000020D STATUS_CONNECTION_RESET" (the hex alone when it has no name).
std::string describe_ntstatus(std::uint32_t status);

}  // namespace iocpsim::iocp
