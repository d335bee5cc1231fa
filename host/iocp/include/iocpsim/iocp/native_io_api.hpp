// NativeIoApi: IoApi over the real Win32 functions (Windows builds only).
#pragma once

#include <memory>

#include "iocpsim/iocp/io_api.hpp"

namespace iocpsim::iocp {

// Starts Winsock for its lifetime. AcceptEx and ConnectEx come from the TCP provider through
// WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER), as Microsoft requires.
std::unique_ptr<IoApi> make_native_io_api();

}  // namespace iocpsim::iocp
