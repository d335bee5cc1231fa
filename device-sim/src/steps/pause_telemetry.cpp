// pause_telemetry: stop the background telemetry stream.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class PauseTelemetryStep final : public InstantStep {
 private:
  void run(StepContext& ctx) override { ctx.model().set_telemetry_streaming(false); }
};

const StepRegistration registration{StepKind{
    "pause_telemetry", "protocol",
    "Stops the background telemetry stream (the device spec's `telemetry.rate_hz`) on this connection.",
    {},
    nlohmann::json::parse(R"({"step": "pause_telemetry"})"),
    [](JsonReader&, const StepParseContext&) { return std::make_unique<PauseTelemetryStep>(); }}};

}  // namespace
}  // namespace iocpsim::devsim
