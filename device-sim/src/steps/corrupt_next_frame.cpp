// corrupt_next_frame: break the CRC, the magic or the length of the next frame the device sends.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class CorruptNextFrameStep final : public InstantStep {
 public:
  CorruptNextFrameStep(FrameFault fault, std::uint32_t length_delta) : fault_(fault), length_delta_(length_delta) {}
  bool needs_connection() const override { return false; }

 private:
  void run(StepContext& ctx) override { ctx.model().corrupt_next_frame(fault_, length_delta_); }

  FrameFault fault_;
  std::uint32_t length_delta_;
};

const StepRegistration corrupt_next_frame_registration{StepKind{
    "corrupt_next_frame",
    "bytes",
    "Damages the next frame the device encodes, whether a script step or the model sends it (a reply, "
    "a telemetry sample). Returns at once. The frame is recorded as sent with its fault named.",
    {{"what", form::choice({"crc", "magic", "length"}), "crc",
      "crc: flip the CRC's last byte; magic: flip the first byte; length: add `length_delta` to payload_len"},
     {"length_delta", form::integer(), "1", "for what=length: how much longer the header claims the payload is"}},
    R"({"step": "corrupt_next_frame", "what": "crc"})",
    [](JsonReader& r, const StepParseContext&) {
      const auto what = r.get_choice("what", "crc", {"crc", "magic", "length"});
      const auto fault = what == "magic" ? FrameFault::magic : what == "length" ? FrameFault::length : FrameFault::crc;
      return std::make_unique<CorruptNextFrameStep>(fault, static_cast<std::uint32_t>(r.get_uint("length_delta", 1)));
    },
    /*marks_fault=*/true}};

}  // namespace
}  // namespace iocpsim::devsim
