#include "iocpsim/devsim/sequence.hpp"

#include <nlohmann/json.hpp>

namespace iocpsim::devsim {

StepStatus Sequence::advance(StepContext& ctx) {
  while (index_ < steps_.size()) {
    Step& step = *steps_[index_];
    if (!started_) {
      if (step.needs_connection() && !ctx.connected()) return StepStatus::wait();
      ctx.log({{"event", "step_started"}, {"step", step.path()}, {"kind", step.kind()}});
      started_ = true;
      step.start(ctx);
    }
    auto status = step.poll(ctx);
    if (status.kind == StepStatus::waiting) return status;
    if (status.kind == StepStatus::failed) {
      ctx.log({{"event", "step_failed"}, {"step", step.path()}, {"kind", step.kind()}, {"reason", status.reason}});
      return StepStatus::fail(step.path() + " (" + step.kind() + "): " + status.reason);
    }
    ctx.log({{"event", "step_done"}, {"step", step.path()}, {"kind", step.kind()}});
    ++index_;
    started_ = false;
  }
  return StepStatus::finished();
}

}  // namespace iocpsim::devsim
