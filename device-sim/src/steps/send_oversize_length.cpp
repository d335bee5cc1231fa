// send_oversize_length: send a frame header whose payload_len exceeds any sane maximum.
#include <nlohmann/json.hpp>

#include "iocpsim/devsim/frame_edit.hpp"
#include "iocpsim/devsim/record.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {
namespace {

class SendOversizeLengthStep final : public SendOnceStep {
 public:
  SendOversizeLengthStep(protocol::MessageType type, std::uint32_t payload_len)
      : type_(type), payload_len_(payload_len) {}

 private:
  std::size_t bytes_to_send(StepContext&) const override { return protocol::kHeaderSize; }
  void run(StepContext& ctx) override {
    auto& model = ctx.model();
    const auto seq = model.take_seq();
    model.record().sent.push_back({ctx.now(), type_, seq, 0, 0, "oversize_length"});
    ctx.log({{"event", "oversize_header_sent"}, {"seq", seq}, {"payload_len", payload_len_}});
    model.send_raw(header_only(type_, seq, payload_len_));
  }

  protocol::MessageType type_;
  std::uint32_t payload_len_;
};

const StepRegistration send_oversize_length_registration{
    StepKind{"send_oversize_length",
             "bytes",
             "Sends a well-formed 16-byte header (magic, version, type, next seq) claiming `payload_len` bytes of "
             "payload, and no payload: a receiver must reject it from the header alone, before buffering.",
             {{"type", form::message_type(), "telemetry", "the type in the header"},
              {"payload_len", form::integer(), "16777216", "the claimed payload length"}},
             R"({"step": "send_oversize_length", "payload_len": 4294967295})",
             [](JsonReader& r, const StepParseContext&) {
               const auto type = message_type_from_name(r.get_choice("type", "telemetry", message_type_names()));
               return std::make_unique<SendOversizeLengthStep>(
                   type, static_cast<std::uint32_t>(r.get_uint("payload_len", 16u << 20)));
             },
             /*marks_fault=*/true}};

}  // namespace
}  // namespace iocpsim::devsim
