// repeat: run a list of steps n times.
#include "iocpsim/devsim/sequence.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class RepeatStep final : public Step {
 public:
  RepeatStep(std::uint64_t times, std::vector<std::unique_ptr<Step>> steps) : times_(times), body_(std::move(steps)) {}

  bool needs_connection() const override { return false; }  // the body's steps decide
  void start(StepContext&) override {
    done_ = 0;
    body_.restart();
  }

  StepStatus poll(StepContext& ctx) override {
    // A body that never waits ({"step": "wait", "ms": 0}) would otherwise hold the device's
    // thread for `times` rounds: after a bounded number of rounds the step yields until "now",
    // so the transport runs everything else due (a stop, other connections) before it goes on.
    for (std::uint64_t rounds = 0; done_ < times_; ++rounds) {
      if (rounds == kRoundsPerTurn) {
        ctx.wake_at(ctx.now());
        return StepStatus::wait();
      }
      auto status = body_.advance(ctx);
      if (status.kind != StepStatus::done) return status;
      ++done_;
      body_.restart();
    }
    return StepStatus::finished();
  }

 private:
  static constexpr std::uint64_t kRoundsPerTurn = 64;
  std::uint64_t times_;
  Sequence body_;
  std::uint64_t done_ = 0;
};

const StepRegistration repeat_registration{StepKind{
    "repeat",
    "flow",
    "Runs `steps` `times` times in order. Steps inside are written and checked like top-level ones.",
    {{"times", form::integer(), "required", "how many times"}, {"steps", form::steps(), "required", "the body"}},
    R"({"step": "repeat", "times": 3, "steps": [{"step": "raise_event", "code": 1}, {"step": "wait", "ms": 100}]})",
    [](JsonReader& r, const StepParseContext& ctx) {
      const auto times = r.require_uint("times");
      return std::make_unique<RepeatStep>(times, ctx.registry.parse_list(r.objects("steps"), ctx.identity));
    }}};

}  // namespace
}  // namespace iocpsim::devsim
