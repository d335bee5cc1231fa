// never_accept: listen but never accept.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class NeverAcceptStep final : public InstantStep {
 public:
  bool needs_connection() const override { return false; }

 private:
  void run(StepContext& ctx) override { ctx.set_listen_mode(ListenMode::holding); }
};

const StepRegistration registration{StepKind{
    "never_accept", "connection",
    "Keeps listening but stops accepting, until accept_connections. Connects succeed (the kernel "
    "completes them into the backlog) and the peer's bytes are buffered, but nothing is ever read or "
    "answered. Returns at once.",
    {},
    nlohmann::json::parse(R"({"step": "never_accept"})"),
    [](JsonReader&, const StepParseContext&) { return std::make_unique<NeverAcceptStep>(); }}};

}  // namespace
}  // namespace iocpsim::devsim
