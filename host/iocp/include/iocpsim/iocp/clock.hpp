// Injected time and randomness for the host side: the run's (iocpsim/world/clock.hpp). Everything
// that reads time or draws a random number (the fault shim's rules and journal, the engine's
// timers) goes through these, so a test can drive time by hand, a simulated world can make it
// virtual, and a run can be replayed from its seed.
#pragma once

#include "iocpsim/world/clock.hpp"

namespace iocpsim::iocp {

using world::Clock;
using world::ManualClock;
using world::SeededRandom;
using world::SteadyClock;

}  // namespace iocpsim::iocp
