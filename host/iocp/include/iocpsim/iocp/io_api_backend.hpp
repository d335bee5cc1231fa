// The one place that chooses the IoApi backend.
//
// Linux (and any non-Windows host): the emulation over epoll. Windows: the native Win32 calls,
// unless the build sets IOCPSIM_FORCE_EMULATION (CMake option of the same name): then the
// emulation over Winsock and WSAPoll, which Windows builds always contain as well, so that it
// can be checked against the native calls. CMake compiles exactly one definition of
// make_default_io_api(); this header only declares what every build provides.
#pragma once

#include <memory>

#include "iocpsim/iocp/io_api.hpp"

namespace iocpsim::iocp {

// The backend production code runs on for this build.
std::unique_ptr<IoApi> make_default_io_api();

// The name of that backend ("emulated" or "native"), for logs and test names.
const char* default_io_api_name();

}  // namespace iocpsim::iocp
