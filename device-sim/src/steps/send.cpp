// send: send one protocol message.
#include "iocpsim/devsim/message_template.hpp"
#include "iocpsim/devsim/step_registry.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::devsim {
namespace {

class SendStep final : public SendOnceStep {
 public:
  explicit SendStep(MessageTemplate message) : message_(std::move(message)) {}

 private:
  std::size_t bytes_to_send(StepContext&) const override {
    MessageStorage storage;
    return protocol::frame_size(message_.build(storage));
  }
  void run(StepContext& ctx) override {
    MessageStorage storage;
    ctx.model().send(message_.build(storage));
  }

  MessageTemplate message_;
};

const StepRegistration send_registration{StepKind{
    "send",
    "protocol",
    "Sends one message, framed with the next seq. Fields left out take defaults (HELLO_ACK takes the "
    "device's identity; numbers 0, strings and bytes empty, enums their first value).",
    {{"message", form::message(), "required", "`type` plus fields; bytes as hex, enums by name"}},
    R"({"step": "send", "message": {"type": "event", "event_id": 9, "severity": "alarm", "code": 301, "text": "overheat"}})",
    [](JsonReader& r, const StepParseContext& ctx) {
      return std::make_unique<SendStep>(MessageTemplate(r.object("message"), ctx.identity));
    }}};

}  // namespace
}  // namespace iocpsim::devsim
