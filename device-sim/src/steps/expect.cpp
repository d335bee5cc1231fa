// expect: wait for a message from the peer whose fields match, within a time limit.
#include <nlohmann/json.hpp>

#include "iocpsim/devsim/message_json.hpp"
#include "iocpsim/devsim/record.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class ExpectStep final : public ConditionStep {
 public:
  ExpectStep(nlohmann::json pattern, std::uint64_t within_ms)
      : ConditionStep(within_ms), pattern_(std::move(pattern)) {}
  bool needs_connection() const override { return false; }  // the message may come on a later connection

 private:
  bool satisfied(StepContext& ctx) override {
    const auto& received = ctx.model().record().received;
    auto& cursor = ctx.expect_cursor();
    for (; cursor < received.size(); ++cursor) {
      if (message_matches(pattern_, received[cursor].message)) {
        ++cursor;
        return true;
      }
    }
    return false;
  }
  std::string what_failed() const override { return "no message matching " + pattern_.dump(); }

  nlohmann::json pattern_;
};

const StepRegistration expect_registration{
    StepKind{"expect",
             "protocol",
             "Waits for a message from the peer whose listed fields all match (fields left out match anything). "
             "Messages received since the previous `expect` count, so one that arrived before this step started "
             "still matches; messages that do not match are passed over. Fails if none arrives in time.",
             {{"message", form::message_pattern(), "required", "`type` plus any fields of that message type"},
              {"within_ms", form::ms(), "5000", "how long to wait, in device time"}},
             R"({"step": "expect", "message": {"type": "hello", "host_id": "host-1"}, "within_ms": 2000})",
             [](JsonReader& r, const StepParseContext&) {
               auto message = r.object("message");
               auto pattern = pattern_from_json(message);
               return std::make_unique<ExpectStep>(std::move(pattern), r.get_uint("within_ms", 5000));
             }}};

}  // namespace
}  // namespace iocpsim::devsim
