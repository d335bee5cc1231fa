// pause_telemetry: stop the background telemetry stream.
#include "iocpsim/devsim/simple_steps.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

const StepRegistration pause_telemetry_registration{
    StepKind{"pause_telemetry",
             "protocol",
             "Stops the background telemetry stream (the device spec's `telemetry.rate_hz`) on this connection.",
             {},
             R"({"step": "pause_telemetry"})",
             [](JsonReader&, const StepParseContext&) { return TelemetrySwitchStep::make(false); }}};

}  // namespace
}  // namespace iocpsim::devsim
