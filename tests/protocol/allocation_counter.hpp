// Counts calls of the global operator new in this test executable, so that a test can prove a
// code path allocates nothing.
#pragma once

#include <cstddef>

namespace iocpsim::protocol::testing {

std::size_t allocation_count() noexcept;

}  // namespace iocpsim::protocol::testing
