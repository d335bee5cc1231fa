// accept_connections: listen and accept normally again.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class AcceptConnectionsStep final : public InstantStep {
 public:
  bool needs_connection() const override { return false; }

 private:
  void run(StepContext& ctx) override { ctx.set_listen_mode(ListenMode::accepting); }
};

const StepRegistration registration{StepKind{
    "accept_connections", "connection",
    "Undoes refuse_connections and never_accept: listens and accepts again (the default state).",
    {},
    nlohmann::json::parse(R"({"step": "accept_connections"})"),
    [](JsonReader&, const StepParseContext&) { return std::make_unique<AcceptConnectionsStep>(); }}};

}  // namespace
}  // namespace iocpsim::devsim
