// A Linux program never runs under Wine.
#include "wine_detect.hpp"

namespace iocpsim::iocp::testing {

bool running_under_wine() { return false; }

}  // namespace iocpsim::iocp::testing
