// stall: neither read nor write for D ms.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class StallStep final : public TimedStep {
 public:
  using TimedStep::TimedStep;

 private:
  void begin(StepContext& ctx) override {
    was_reading_ = ctx.reading();
    if (was_reading_) ctx.connection(ConnectionOp::pause_reading);
    ctx.model().set_output_held(true);
  }
  void end(StepContext& ctx) override {
    ctx.model().set_output_held(false);
    if (was_reading_) ctx.connection(ConnectionOp::resume_reading);
  }

  bool was_reading_ = false;
};

const StepRegistration stall_registration{StepKind{
    "stall",
    "connection",
    "Goes silent for `for_ms`: stops reading and holds every write (replies, telemetry). Afterwards held "
    "replies go out, reading resumes, and background telemetry restarts without the missed samples.",
    {{"for_ms", form::ms(), "required", "how long to stall, in device time"}},
    R"({"step": "stall", "for_ms": 3000})",
    [](JsonReader& r, const StepParseContext&) { return std::make_unique<StallStep>(r.require_uint("for_ms")); },
    /*marks_fault=*/true}};

}  // namespace
}  // namespace iocpsim::devsim
