// resume_reading: read again after stop_reading.
#include "iocpsim/devsim/simple_steps.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

const StepRegistration resume_reading_registration{StepKind{
    "resume_reading",
    "connection",
    "Starts reading again after stop_reading; what the peer sent meanwhile is then processed in order.",
    {},
    R"({"step": "resume_reading"})",
    [](JsonReader&, const StepParseContext&) { return ConnectionOpStep::make(ConnectionOp::resume_reading); }}};

}  // namespace
}  // namespace iocpsim::devsim
