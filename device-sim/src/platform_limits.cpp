#include "iocpsim/devsim/platform_limits.hpp"

#include "iocpsim/devsim/json_reader.hpp"

namespace iocpsim::devsim {
namespace {
thread_local RealWorldLimits* t_scope = nullptr;
}  // namespace

RealWorldLimits::RealWorldLimits() noexcept : outer_(t_scope) { t_scope = this; }
RealWorldLimits::~RealWorldLimits() { t_scope = outer_; }

void unsupported_here(const std::string& path, const std::string& why) {
  if (t_scope == nullptr) throw UnsupportedHere(path, why);
  if (!t_scope->first_) t_scope->first_ = UnsupportedHere(path, why).what();
}

}  // namespace iocpsim::devsim
