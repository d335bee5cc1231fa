// reset: abortive close (RST).
#include "iocpsim/devsim/simple_steps.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

const StepRegistration reset_registration{
    StepKind{"reset",
             "connection",
             "Abortive close: SO_LINGER with a zero timeout, then close, so the peer gets RST (ECONNRESET, "
             "WSAECONNRESET). Anything queued and unwritten is discarded.",
             {},
             R"({"step": "reset"})",
             [](JsonReader&, const StepParseContext&) { return ConnectionOpStep::make(ConnectionOp::reset); },
             /*marks_fault=*/true}};

}  // namespace
}  // namespace iocpsim::devsim
