// never_accept: listen but never accept.
#include "iocpsim/devsim/simple_steps.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

const StepRegistration registration{StepKind{
    "never_accept", "connection",
    "Keeps listening but stops accepting, until accept_connections. Connects succeed (the kernel "
    "completes them into the backlog) and the peer's bytes are buffered, but nothing is ever read or "
    "answered. Returns at once.",
    {},
    nlohmann::json::parse(R"({"step": "never_accept"})"),
    [](JsonReader&, const StepParseContext&) { return ListenModeStep::make(ListenMode::holding); }}};

}  // namespace
}  // namespace iocpsim::devsim
