// send_garbage: send N bytes drawn from the run's seeded generator.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class SendGarbageStep final : public SendOnceStep {
 public:
  explicit SendGarbageStep(std::uint64_t count) : count_(count) {}

 private:
  std::size_t bytes_to_send(StepContext&) const override { return count_; }
  void run(StepContext& ctx) override {
    std::vector<std::uint8_t> bytes(count_);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(ctx.rng()());
    ctx.model().send_raw(std::move(bytes));
  }

  std::uint64_t count_;
};

const StepRegistration send_garbage_registration{
    StepKind{"send_garbage",
             "bytes",
             "Sends `bytes` random bytes from the run's seeded generator: the same seed sends the same garbage.",
             {{"bytes", form::integer(0, 16u << 20), "required", "how many bytes"}},
             R"({"step": "send_garbage", "bytes": 64})",
             [](JsonReader& r, const StepParseContext&) {
               return std::make_unique<SendGarbageStep>(r.require_uint("bytes", 16u << 20));
             },
             /*marks_fault=*/true}};

}  // namespace
}  // namespace iocpsim::devsim
