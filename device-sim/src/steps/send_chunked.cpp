// send_chunked: send a frame in pieces of given sizes, with delays between them.
#include "iocpsim/devsim/message_template.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class SendChunkedStep final : public Step {
 public:
  SendChunkedStep(FrameSource source, std::vector<std::uint64_t> chunks, std::uint64_t delay_ms)
      : source_(std::move(source)), chunks_(std::move(chunks)), delay_ms_(delay_ms) {}

  void start(StepContext& ctx) override {
    bytes_ = source_.bytes(ctx.model());
    ctx.model().begin_pieces(bytes_.size());  // nothing of the model's own goes between the chunks
    offset_ = 0;
    chunk_ = 0;
    next_ = ctx.now();
  }

  StepStatus poll(StepContext& ctx) override {
    while (offset_ < bytes_.size() && ctx.now() >= next_) {
      // Sizes past the listed chunks, or past the end of the frame, are cut to what is left.
      const std::size_t left = bytes_.size() - offset_;
      const std::size_t size = chunk_ < chunks_.size() ? std::min<std::size_t>(chunks_[chunk_], left) : left;
      if (!ctx.model().can_send(size, path())) return StepStatus::wait();
      ctx.model().send_raw({bytes_.begin() + static_cast<std::ptrdiff_t>(offset_),
                            bytes_.begin() + static_cast<std::ptrdiff_t>(offset_ + size)});
      offset_ += size;
      ++chunk_;
      next_ = ctx.now() + std::chrono::milliseconds(delay_ms_);
    }
    if (offset_ >= bytes_.size()) return StepStatus::finished();
    ctx.wake_at(next_);
    return StepStatus::wait();
  }

 private:
  FrameSource source_;
  std::vector<std::uint64_t> chunks_;
  std::uint64_t delay_ms_;
  std::vector<std::uint8_t> bytes_;
  std::size_t offset_ = 0;
  std::size_t chunk_ = 0;
  DeviceTime next_{};
};

const StepRegistration send_chunked_registration{StepKind{
    "send_chunked",
    "bytes",
    "Sends one frame (or raw bytes) split into chunks of the listed sizes, waiting `delay_ms` between "
    "chunks; whatever the list does not cover goes last as one chunk. Each chunk is a separate write "
    "(TCP_NODELAY is set), but with delay_ms 0 the network may still join them. Nothing goes between the "
    "chunks: the device's own frames (telemetry, replies, heartbeats) wait until the last one has gone.",
    {{"message", form::message(), OptionDefault::one_of({"message", "hex"}), "the frame to split"},
     {"hex", form::hex(), OptionDefault::one_of({"message", "hex"}), "raw bytes to split instead"},
     {"chunks", form::positive_integers(), "required", "chunk sizes in bytes"},
     {"delay_ms", form::ms(), "0", "pause between chunks"}},
    R"({"step": "send_chunked", "message": {"type": "heartbeat", "nonce": 5}, "chunks": [1, 3, 12], "delay_ms": 20})",
    [](JsonReader& r, const StepParseContext& ctx) {
      FrameSource source(r, ctx.identity);
      auto chunks = r.get_positive_uints("chunks");
      return std::make_unique<SendChunkedStep>(std::move(source), std::move(chunks), r.get_uint("delay_ms", 0));
    }}};

}  // namespace
}  // namespace iocpsim::devsim
