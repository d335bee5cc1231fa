// wait: do nothing for a while.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class WaitStep final : public TimedStep {
 public:
  using TimedStep::TimedStep;
  bool needs_connection() const override { return false; }
};

const StepRegistration wait_registration{
    StepKind{"wait",
             "flow",
             "Waits `ms` of device time. The model keeps answering and streaming meanwhile.",
             {{"ms", form::ms(), "required", "how long"}},
             R"({"step": "wait", "ms": 500})",
             [](JsonReader& r, const StepParseContext&) { return std::make_unique<WaitStep>(r.require_uint("ms")); }}};

}  // namespace
}  // namespace iocpsim::devsim
