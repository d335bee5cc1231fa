// say_bye: send BYE and, by default, close gracefully.
#include "iocpsim/devsim/step_registry.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::devsim {
namespace {

class SayByeStep final : public SendOnceStep {
 public:
  SayByeStep(protocol::ByeReason reason, std::string text, bool close)
      : reason_(reason), text_(std::move(text)), close_(close) {}

 private:
  std::size_t bytes_to_send(StepContext&) const override { return protocol::frame_size(protocol::Bye{reason_, text_}); }
  void run(StepContext& ctx) override {
    ctx.model().send(protocol::Bye{reason_, text_});
    if (close_) ctx.connection(ConnectionOp::close_graceful);
  }

  protocol::ByeReason reason_;
  std::string text_;
  bool close_;
};

const StepRegistration say_bye_registration{
    StepKind{"say_bye",
             "protocol",
             "Sends BYE, then (unless `close` is false) closes gracefully once it has been written.",
             {{"reason", form::choice({"normal", "shutting_down", "restarting", "protocol_violation", "idle_timeout"}),
               "normal", "the BYE reason"},
              {"text", form::text(), "\"\"", "the BYE text"},
              {"close", form::boolean(), "true", "close the connection (FIN) after the BYE"}},
             R"({"step": "say_bye", "reason": "restarting", "text": "firmware update"})",
             [](JsonReader& r, const StepParseContext&) {
               return std::make_unique<SayByeStep>(read_bye_reason(r, "reason", protocol::ByeReason::normal),
                                                   r.get_string("text", ""), r.get_bool("close", true));
             }}};

}  // namespace
}  // namespace iocpsim::devsim
