// half_close: shut down writing, keep reading.
#include "iocpsim/devsim/simple_steps.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

const StepRegistration half_close_registration{
    StepKind{"half_close",
             "connection",
             "Half-close: writes what is queued, then shuts down writing (FIN) but keeps reading, so the peer "
             "reads EOF while what it sends still arrives. Nothing more is sent on this connection.",
             {},
             R"({"step": "half_close"})",
             [](JsonReader&, const StepParseContext&) { return ConnectionOpStep::make(ConnectionOp::shutdown_write); },
             /*marks_fault=*/true}};

}  // namespace
}  // namespace iocpsim::devsim
