// close: graceful close (FIN).
#include "iocpsim/devsim/simple_steps.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

const StepRegistration close_registration{
    StepKind{"close",
             "connection",
             "Graceful close: writes what is queued, sends FIN and closes; the peer reads EOF. The device then "
             "waits for the next connection.",
             {},
             R"({"step": "close"})",
             [](JsonReader&, const StepParseContext&) { return ConnectionOpStep::make(ConnectionOp::close_graceful); },
             /*marks_fault=*/true}};

}  // namespace
}  // namespace iocpsim::devsim
