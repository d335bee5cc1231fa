// raise_event: send an EVENT with the next event id and the device's current time.
#include "iocpsim/devsim/message_json.hpp"
#include "iocpsim/devsim/step_registry.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::devsim {
namespace {

class RaiseEventStep final : public SendOnceStep {
 public:
  RaiseEventStep(protocol::Severity severity, std::uint16_t code, std::string text)
      : severity_(severity), code_(code), text_(std::move(text)) {}

 private:
  std::size_t bytes_to_send(StepContext&) const override {
    return protocol::frame_size(protocol::Event{0, severity_, code_, 0, text_});
  }
  void run(StepContext& ctx) override { ctx.model().send_event(severity_, code_, text_); }

  protocol::Severity severity_;
  std::uint16_t code_;
  std::string text_;
};

const StepRegistration raise_event_registration{
    StepKind{"raise_event",
             "protocol",
             "Sends an EVENT numbered from the device's own event counter (1, 2, ...) and stamped with device time.",
             {{"severity", form::choice({"info", "warning", "alarm", "critical"}), "info", "the event's severity"},
              {"code", form::integer(0, UINT16_MAX), "0", "the event code"},
              {"text", form::text(), "\"\"", "the event text"}},
             R"({"step": "raise_event", "severity": "critical", "code": 17, "text": "door open"})",
             [](JsonReader& r, const StepParseContext&) {
               return std::make_unique<RaiseEventStep>(read_severity(r, "severity", protocol::Severity::info),
                                                       static_cast<std::uint16_t>(r.get_uint("code", 0, 0xFFFF)),
                                                       r.get_string("text", ""));
             }}};

}  // namespace
}  // namespace iocpsim::devsim
