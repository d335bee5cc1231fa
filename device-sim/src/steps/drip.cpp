// drip: send a frame one byte at a time, D ms apart.
#include "iocpsim/devsim/message_template.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class DripStep final : public Step {
 public:
  DripStep(FrameSource source, std::uint64_t interval_ms) : source_(std::move(source)), interval_ms_(interval_ms) {}

  void start(StepContext& ctx) override {
    bytes_ = source_.bytes(ctx.model());
    ctx.model().begin_pieces(bytes_.size());  // nothing of the model's own goes between the bytes
    offset_ = 0;
    next_ = ctx.now();
  }

  StepStatus poll(StepContext& ctx) override {
    while (offset_ < bytes_.size() && ctx.now() >= next_) {
      if (!ctx.model().can_send(1, path())) return StepStatus::wait();
      ctx.model().send_raw({bytes_[offset_]});
      ++offset_;
      next_ += std::chrono::milliseconds(interval_ms_);
    }
    if (offset_ >= bytes_.size()) return StepStatus::finished();
    ctx.wake_at(next_);
    return StepStatus::wait();
  }

 private:
  FrameSource source_;
  std::uint64_t interval_ms_;
  std::vector<std::uint8_t> bytes_;
  std::size_t offset_ = 0;
  DeviceTime next_{};
};

const StepRegistration drip_registration{
    StepKind{"drip",
             "bytes",
             "Sends one frame (or raw bytes) one byte at a time, the first at once and then one every `interval_ms`. "
             "The device's own frames (telemetry, replies, heartbeats) wait until the last byte has gone.",
             {{"message", form::message(), OptionDefault::one_of({"message", "hex"}), "the frame to drip"},
              {"hex", form::hex(), OptionDefault::one_of({"message", "hex"}), "raw bytes to drip instead"},
              {"interval_ms", form::ms(), "10", "time between bytes"}},
             R"({"step": "drip", "message": {"type": "event", "code": 4}, "interval_ms": 50})",
             [](JsonReader& r, const StepParseContext& ctx) {
               FrameSource source(r, ctx.identity);
               return std::make_unique<DripStep>(std::move(source), r.get_uint("interval_ms", 10));
             },
             /*marks_fault=*/true}};

}  // namespace
}  // namespace iocpsim::devsim
