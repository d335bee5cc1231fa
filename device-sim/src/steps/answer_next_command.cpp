// answer_next_command: override how the next (matching) command is answered.
#include "iocpsim/devsim/spec.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class AnswerNextCommandStep final : public InstantStep {
 public:
  explicit AnswerNextCommandStep(CommandBehaviour behaviour) : behaviour_(std::move(behaviour)) {}
  bool needs_connection() const override { return false; }

 private:
  void run(StepContext& ctx) override { ctx.model().override_next_command(behaviour_); }

  CommandBehaviour behaviour_;
};

const StepRegistration answer_next_command_registration{
    StepKind{"answer_next_command",
             "protocol",
             "Sets how the next command (with `opcode`, or any) is answered, once, instead of the command "
             "table. Returns at once; the override waits for its command.",
             {{"opcode", form::integer(0, UINT16_MAX), OptionDefault::absent("any"),
               "only a command with this opcode takes the override"},
              {"status", form::choice({"ok", "unknown_opcode", "bad_argument", "busy", "internal_error"}), "ok",
               "the response's status"},
              {"data", form::hex(), "\"\"", "the response's data"},
              {"echo", form::boolean(), "false", "answer with the command's own data"},
              {"delay_ms", form::ms(), "0", "answer this long after the command arrives"},
              {"reply", form::boolean(), "true", "false: never answer it"}},
             R"({"step": "answer_next_command", "opcode": 7, "status": "busy", "delay_ms": 250})",
             [](JsonReader& r, const StepParseContext&) {
               return std::make_unique<AnswerNextCommandStep>(command_behaviour_from_json(r));
             }}};

}  // namespace
}  // namespace iocpsim::devsim
