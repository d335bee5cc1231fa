// refuse_connections: stop listening, so connection attempts are refused; for a time, or for a number of attempts.
#include "iocpsim/devsim/platform_limits.hpp"
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

// Refuses exactly `count` attempts: the transport sees each refused SYN and the device listens again as soon as it has
// seen the last (Device::on_refused_attempts).
class RefuseCountStep final : public Step {
 public:
  explicit RefuseCountStep(std::uint32_t count) : count_(count) {}
  bool needs_connection() const override { return false; }
  void start(StepContext& ctx) override { ctx.refuse_next_connections(count_); }
  StepStatus poll(StepContext& ctx) override {
    if (!ctx.refusal_counting_error().empty()) return StepStatus::fail(ctx.refusal_counting_error());
    return ctx.refusals_left() == 0 ? StepStatus::finished() : StepStatus::wait();
  }

 private:
  std::uint32_t count_;
};

const StepRegistration refuse_connections_registration{StepKind{
    "refuse_connections",
    "connection",
    "Keeps the port bound but stops listening, so a connect gets RST: "
    "ECONNREFUSED (WSAECONNREFUSED). "
    "With `for_ms` the step waits that long and listens again; with `count` it "
    "waits until exactly that "
    "many attempts have been refused and listens again; with neither it "
    "returns at once and the port "
    "refuses until accept_connections. The current connection, if any, is not "
    "touched. A refused attempt "
    "never reaches a socket, so `count` watches the wire: a raw socket sees "
    "each SYN to the port (Linux, "
    "CAP_NET_RAW; elsewhere a script with `count` is rejected). The device "
    "listens again within "
    "microseconds of seeing the last refused SYN; an attempt that comes sooner "
    "than that after it is "
    "refused too, and logged as connection_refused_past_count.",
    {{"for_ms", form::ms(), OptionDefault::absent("until accept_connections"), "how long to refuse"},
     {"count", form::integer(1), OptionDefault::absent("none").excluding("for_ms"),
      "how many attempts to refuse (instead of for_ms)"}},
    R"({"step": "refuse_connections", "for_ms": 2000})",
    [](JsonReader& r, const StepParseContext&) -> std::unique_ptr<Step> {
      const auto for_ms = r.optional_uint("for_ms");
      const auto count = r.optional_uint("count");
      if (count) {
        if (for_ms) throw SpecError(r.path_of("count"), "give either for_ms or count, not both");
        if (*count == 0) throw SpecError(r.path_of("count"), "must be at least 1");
        if (const auto why = refusal_counting_unavailable()) {
          unsupported_here(r.path_of("count"), "not supported here: " + *why + ". Use for_ms to refuse for a time");
        }
        return std::make_unique<RefuseCountStep>(static_cast<std::uint32_t>(*count));
      }
      return std::make_unique<RefuseConnectionsStep>(for_ms.value_or(0), for_ms.has_value());
    },
    /*marks_fault=*/true}};

}  // namespace
}  // namespace iocpsim::devsim
