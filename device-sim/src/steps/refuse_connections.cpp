// refuse_connections: stop listening, so connection attempts are refused.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class RefuseConnectionsStep final : public TimedStep {
 public:
  RefuseConnectionsStep(std::uint64_t for_ms, bool restore) : TimedStep(for_ms), restore_(restore) {}
  bool needs_connection() const override { return false; }

 private:
  void begin(StepContext& ctx) override { ctx.set_listen_mode(ListenMode::refusing); }
  void end(StepContext& ctx) override {
    if (restore_) ctx.set_listen_mode(ListenMode::accepting);
  }

  bool restore_;
};

const StepRegistration registration{StepKind{
    "refuse_connections", "connection",
    "Keeps the port bound but stops listening, so a connect gets RST: ECONNREFUSED (WSAECONNREFUSED). "
    "With `for_ms` the step waits that long and listens again; without it, it returns at once and the "
    "port refuses until accept_connections. The current connection, if any, is not touched. A refused "
    "attempt never reaches the device, so it cannot count attempts: refusing is by time.",
    {{"for_ms", "integer ms", "until accept_connections", "how long to refuse"}},
    nlohmann::json::parse(R"({"step": "refuse_connections", "for_ms": 2000})"),
    [](JsonReader& r, const StepParseContext&) {
      const auto for_ms = r.optional_uint("for_ms");
      return std::make_unique<RefuseConnectionsStep>(for_ms.value_or(0), for_ms.has_value());
    }}};

}  // namespace
}  // namespace iocpsim::devsim
