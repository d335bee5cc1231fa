#include "iocpsim/world/clock.hpp"

namespace iocpsim::world {

std::uint64_t stream_seed(std::uint64_t run_seed, std::string_view name) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a of the name ...
  for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  std::uint64_t z = run_seed + h + 0x9e3779b97f4a7c15ULL;  // ... mixed with the seed by SplitMix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace iocpsim::world
