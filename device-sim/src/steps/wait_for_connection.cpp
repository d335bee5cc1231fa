// wait_for_connection: wait until a connection is up.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class WaitForConnectionStep final : public ConditionStep {
 public:
  using ConditionStep::ConditionStep;
  bool needs_connection() const override { return false; }

 private:
  bool satisfied(StepContext& ctx) override { return ctx.connected(); }
  std::string what_failed() const override { return "no connection"; }
};

const StepRegistration wait_for_connection_registration{
    StepKind{"wait_for_connection",
             "flow",
             "Waits until a connection is up, failing after `within_ms`. (Steps that need a connection wait for "
             "one anyway, without a limit; this one puts a limit on it.)",
             {{"within_ms", form::ms(), "30000", "how long to wait, in device time"}},
             R"({"step": "wait_for_connection", "within_ms": 5000})",
             [](JsonReader& r, const StepParseContext&) {
               return std::make_unique<WaitForConnectionStep>(r.get_uint("within_ms", 30000));
             }}};

}  // namespace
}  // namespace iocpsim::devsim
