// Backend choice for builds without native completion ports: the emulation.
#include "iocpsim/iocp/emulated_io_api.hpp"
#include "iocpsim/iocp/io_api_backend.hpp"

namespace iocpsim::iocp {

std::unique_ptr<IoApi> make_default_io_api() { return std::make_unique<EmulatedIoApi>(); }

const char* default_io_api_name() { return "emulated"; }

}  // namespace iocpsim::iocp
