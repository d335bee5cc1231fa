// accept_connections: listen and accept normally again.
#include "iocpsim/devsim/simple_steps.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

const StepRegistration accept_connections_registration{
    StepKind{"accept_connections",
             "connection",
             "Undoes refuse_connections and never_accept: listens and accepts again (the default state).",
             {},
             R"({"step": "accept_connections"})",
             [](JsonReader&, const StepParseContext&) { return ListenModeStep::make(ListenMode::accepting); }}};

}  // namespace
}  // namespace iocpsim::devsim
