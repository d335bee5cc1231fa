// stop_reading: stop reading so the peer's sends back up.
#include "iocpsim/devsim/simple_steps.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

const StepRegistration stop_reading_registration{
    StepKind{"stop_reading",
             "connection",
             "Stops reading from the connection. Once the socket buffers fill, the peer's sends stop completing. "
             "The device still writes. Undo with resume_reading.",
             {},
             R"({"step": "stop_reading"})",
             [](JsonReader&, const StepParseContext&) { return ConnectionOpStep::make(ConnectionOp::pause_reading); },
             /*marks_fault=*/true}};

}  // namespace
}  // namespace iocpsim::devsim
