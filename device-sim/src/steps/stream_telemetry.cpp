// stream_telemetry: send N telemetry samples on a channel, paced by an interval.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

struct StreamOptions {
  std::uint64_t count;
  std::uint16_t channel;
  std::uint64_t interval_ms;
  std::size_t sample_bytes;
};

class StreamTelemetryStep final : public Step {
 public:
  explicit StreamTelemetryStep(StreamOptions options) : options_(options) {}

  void start(StepContext& ctx) override {
    sent_ = 0;
    next_ = ctx.now();
  }

  StepStatus poll(StepContext& ctx) override {
    const auto interval = std::chrono::milliseconds(options_.interval_ms);
    while (sent_ < options_.count && ctx.now() >= next_ && ctx.connected()) {
      // A full send queue holds the stream back; it goes on from the same sample once drained.
      if (!ctx.model().can_send(telemetry_frame_size(options_.sample_bytes), path())) return StepStatus::wait();
      ctx.model().send_telemetry(options_.channel, options_.sample_bytes);
      ++sent_;
      next_ += interval;
    }
    if (sent_ == options_.count) return StepStatus::finished();
    ctx.wake_at(next_);
    return StepStatus::wait();
  }

 private:
  StreamOptions options_;
  std::uint64_t sent_ = 0;
  DeviceTime next_{};
};

const StepRegistration stream_telemetry_registration{StepKind{
    "stream_telemetry",
    "protocol",
    "Sends `count` TELEMETRY messages on `channel`, the first at once and then one every `interval_ms`, "
    "continuing the channel's sequence numbers. Independent of the background stream.",
    {{"count", form::integer(), "required", "how many samples"},
     {"channel", form::integer(0, UINT16_MAX), "0", "the channel"},
     {"interval_ms", form::ms(), "0", "time between samples; 0 sends them back to back"},
     {"sample_bytes", form::integer(0, 60000), "16", "size of each sample's payload, drawn from the run's seed"}},
    R"({"step": "stream_telemetry", "count": 100, "channel": 2, "interval_ms": 10})",
    [](JsonReader& r, const StepParseContext&) {
      StreamOptions o{r.require_uint("count"), static_cast<std::uint16_t>(r.get_uint("channel", 0, 0xFFFF)),
                      r.get_uint("interval_ms", 0), r.get_uint("sample_bytes", 16, 60000)};
      return std::make_unique<StreamTelemetryStep>(o);
    }}};

}  // namespace
}  // namespace iocpsim::devsim
