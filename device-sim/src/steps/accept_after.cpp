// accept_after: listen, but accept the next connection only after a delay.
#include "iocpsim/devsim/handshake_option.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class AcceptAfterStep final : public TimedStep {
 public:
  AcceptAfterStep(std::uint64_t delay_ms, ListenMode hold_mode) : TimedStep(delay_ms), hold_mode_(hold_mode) {}
  bool needs_connection() const override { return false; }

 private:
  void begin(StepContext& ctx) override { ctx.set_listen_mode(hold_mode_); }
  void end(StepContext& ctx) override { ctx.set_listen_mode(ListenMode::accepting); }

  ListenMode hold_mode_;
};

const StepRegistration accept_after_registration{
    StepKind{"accept_after",
             "connection",
             "Keeps listening but does not accept for `delay_ms`, then accepts again; the script waits meanwhile. "
             "With `handshake` complete (the default) the kernel still completes the TCP handshake into the "
             "backlog, so the peer's connect succeeds at once: what the delay holds back is the device's first "
             "read and first byte. With `handshake` withheld the peer's connect itself is held: its SYNs go "
             "unanswered until the delay is over, and it completes at its next SYN retransmission after that "
             "(Linux retries after about 1 s, then every second or more), unless its own connect timeout fires first.",
             {{"delay_ms", form::ms(), "required", "how long to hold connections back"}, handshake_option_doc()},
             R"({"step": "accept_after", "delay_ms": 1500})",
             [](JsonReader& r, const StepParseContext&) {
               const auto delay_ms = r.require_uint("delay_ms");
               return std::make_unique<AcceptAfterStep>(delay_ms, read_handshake_option(r));
             }}};

}  // namespace
}  // namespace iocpsim::devsim
