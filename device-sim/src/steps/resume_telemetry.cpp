// resume_telemetry: restart the background telemetry stream.
#include "iocpsim/devsim/simple_steps.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

const StepRegistration resume_telemetry_registration{
    StepKind{"resume_telemetry",
             "protocol",
             "Restarts the background telemetry stream at `telemetry.rate_hz`; the first sample follows one "
             "period later and sequence numbers continue where they stopped. No effect when rate_hz is 0.",
             {},
             R"({"step": "resume_telemetry"})",
             [](JsonReader&, const StepParseContext&) { return TelemetrySwitchStep::make(true); }}};

}  // namespace
}  // namespace iocpsim::devsim
