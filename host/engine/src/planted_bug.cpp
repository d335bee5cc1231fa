#include "iocpsim/engine/planted_bug.hpp"

#include <atomic>

namespace iocpsim::engine::testing {
namespace {
std::atomic<PlantedBug> planted{PlantedBug::none};
}  // namespace

void plant_bug(PlantedBug bug) noexcept { planted.store(bug, std::memory_order_relaxed); }
PlantedBug planted_bug() noexcept { return planted.load(std::memory_order_relaxed); }

}  // namespace iocpsim::engine::testing
