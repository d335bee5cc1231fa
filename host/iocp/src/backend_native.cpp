// Backend choice for Windows builds: the real completion ports.
#include "iocpsim/iocp/io_api_backend.hpp"
#include "iocpsim/iocp/native_io_api.hpp"

namespace iocpsim::iocp {

std::unique_ptr<IoApi> make_default_io_api() { return make_native_io_api(); }

const char* default_io_api_name() { return "native"; }

}  // namespace iocpsim::iocp
