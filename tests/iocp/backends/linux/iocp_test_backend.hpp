// The IoApi backends the conformance suite runs on in this build: the emulation.
#pragma once

#include "emulated_backend.hpp"

namespace iocpsim::iocp::testing {

using IocpTestBackends = ::testing::Types<EmulatedBackend>;

}  // namespace iocpsim::iocp::testing
