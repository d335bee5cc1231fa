// accept_after: listen, but accept the next connection only after a delay.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class AcceptAfterStep final : public TimedStep {
 public:
  using TimedStep::TimedStep;
  bool needs_connection() const override { return false; }

 private:
  void begin(StepContext& ctx) override { ctx.set_listen_mode(ListenMode::holding); }
  void end(StepContext& ctx) override { ctx.set_listen_mode(ListenMode::accepting); }
};

const StepRegistration registration{StepKind{
    "accept_after", "connection",
    "Keeps listening but does not accept for `delay_ms`, then accepts again; the script waits meanwhile. "
    "The kernel still completes the TCP handshake into the backlog, so the peer's connect succeeds at "
    "once: what the delay holds back is the device's first read and first byte.",
    {{"delay_ms", "integer ms", "required", "how long to hold connections in the backlog"}},
    nlohmann::json::parse(R"({"step": "accept_after", "delay_ms": 1500})"),
    [](JsonReader& r, const StepParseContext&) { return std::make_unique<AcceptAfterStep>(r.require_uint("delay_ms")); }}};

}  // namespace
}  // namespace iocpsim::devsim
