// What the tests need to know about where they run.
#pragma once

namespace iocpsim::engine::testing {

// True when a Windows build runs under Wine (known divergences are marked, not hidden).
bool running_under_wine();

}  // namespace iocpsim::engine::testing
