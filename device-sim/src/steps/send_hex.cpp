// send_hex: send raw bytes exactly as written.
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class SendHexStep final : public SendOnceStep {
 public:
  explicit SendHexStep(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}

 private:
  std::size_t bytes_to_send(StepContext&) const override { return bytes_.size(); }
  void run(StepContext& ctx) override { ctx.model().send_raw(bytes_); }

  std::vector<std::uint8_t> bytes_;
};

const StepRegistration send_hex_registration{
    StepKind{"send_hex",
             "bytes",
             "Sends raw bytes as written, with no framing: half a frame, a hand-made header, anything.",
             {{"hex", form::hex(), "required", "the bytes; spaces, `:` or `_` may separate byte pairs"}},
             R"({"step": "send_hex", "hex": "a5 5a 01 03"})",
             [](JsonReader& r, const StepParseContext&) {
               if (!r.has("hex")) throw SpecError(r.path_of("hex"), "is required (a hex string)");
               return std::make_unique<SendHexStep>(r.get_hex("hex"));
             }}};

}  // namespace
}  // namespace iocpsim::devsim
