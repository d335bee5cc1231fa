// reset_connections: accept the next N connections and reset each at once.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class ResetConnectionsStep final : public InstantStep {
 public:
  explicit ResetConnectionsStep(std::uint32_t count) : count_(count) {}
  bool needs_connection() const override { return false; }

 private:
  void run(StepContext& ctx) override { ctx.reset_next_connections(count_); }

  std::uint32_t count_;
};

const StepRegistration reset_connections_registration{
    StepKind{"reset_connections",
             "connection",
             "Accepts each of the next `count` connections and resets it (RST) at once: the peer's connect "
             "succeeds and its first read or write fails with ECONNRESET. Unlike refuse_connections this counts "
             "attempts. Returns at once.",
             {{"count", form::integer(), "1", "how many connections to reset"}},
             R"({"step": "reset_connections", "count": 3})",
             [](JsonReader& r, const StepParseContext&) {
               return std::make_unique<ResetConnectionsStep>(static_cast<std::uint32_t>(r.get_uint("count", 1)));
             },
             /*marks_fault=*/true}};

}  // namespace
}  // namespace iocpsim::devsim
