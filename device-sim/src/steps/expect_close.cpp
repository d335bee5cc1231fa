// expect_close: wait for the peer to close (FIN) or reset the connection.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class ExpectCloseStep final : public ConditionStep {
 public:
  using ConditionStep::ConditionStep;
  bool needs_connection() const override { return false; }

 private:
  bool satisfied(StepContext& ctx) override { return ctx.peer_closed(); }
  std::string what_failed() const override { return "the peer did not close"; }
};

const StepRegistration expect_close_registration{
    StepKind{"expect_close",
             "flow",
             "Waits until the peer has closed (FIN) or reset the current connection. Fails if it has not "
             "within `within_ms`. Done at once if the last connection already ended that way.",
             {{"within_ms", form::ms(), "5000", "how long to wait, in device time"}},
             R"({"step": "expect_close", "within_ms": 10000})",
             [](JsonReader& r, const StepParseContext&) {
               return std::make_unique<ExpectCloseStep>(r.get_uint("within_ms", 5000));
             }}};

}  // namespace
}  // namespace iocpsim::devsim
