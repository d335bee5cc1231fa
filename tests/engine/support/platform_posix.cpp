#include "platform.hpp"

namespace iocpsim::engine::testing {

bool running_under_wine() { return false; }

}  // namespace iocpsim::engine::testing
