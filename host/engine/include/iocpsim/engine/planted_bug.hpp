// Test-only: a bug a test plants in the engine, process-wide, to prove that the harness finds it
// (`iocpsim explore` must find each one and shrink it to a small scenario file). Off unless a
// test turns one on; the engine pays one relaxed load where each would act.
#pragma once

#include <cstdint>

namespace iocpsim::engine::testing {

enum class PlantedBug : std::uint8_t {
  none,
  short_send_taken_as_whole,  // R8: a short send's bytes counted as the whole request; the rest is never sent
  cancelled_op_kept,          // R7: an op ended by our own cancel is never released (its connection leaks)
};

void plant_bug(PlantedBug bug) noexcept;
PlantedBug planted_bug() noexcept;

}  // namespace iocpsim::engine::testing
