// never_accept: listen but never accept.
#include "iocpsim/devsim/handshake_option.hpp"
#include "iocpsim/devsim/simple_steps.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

const StepRegistration never_accept_registration{
    StepKind{"never_accept",
             "connection",
             "Keeps listening but stops accepting, until accept_connections; returns at once. With `handshake` "
             "complete (the default) the peer's connect succeeds (the kernel completes it into the backlog) and "
             "its bytes are buffered, but nothing is ever read or answered. With `handshake` withheld the peer's "
             "connect never completes: its SYNs go unanswered, so its connect timeout fires (or, left alone, the "
             "kernel gives up with ETIMEDOUT after its SYN retries); a connect still pending when "
             "accept_connections comes completes at the peer's next SYN retransmission.",
             {handshake_option_doc()},
             R"({"step": "never_accept"})",
             [](JsonReader& r, const StepParseContext&) { return ListenModeStep::make(read_handshake_option(r)); },
             /*marks_fault=*/true}};

}  // namespace
}  // namespace iocpsim::devsim
