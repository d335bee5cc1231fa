// The IoApi backends the conformance suite runs on in this build: the emulation.
#pragma once

#include "emulated_backend.hpp"
#include "sim_backend.hpp"

namespace iocpsim::iocp::testing {

#if defined(IOCPSIM_CONFORMANCE_WITH_SIM)
using IocpTestBackends = ::testing::Types<EmulatedBackend, SimBackend>;
#else
using IocpTestBackends = ::testing::Types<EmulatedBackend>;
#endif

}  // namespace iocpsim::iocp::testing
