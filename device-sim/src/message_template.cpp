#include "iocpsim/devsim/message_template.hpp"

#include <nlohmann/json.hpp>

namespace iocpsim::devsim {

MessageTemplate::MessageTemplate(JsonReader reader, MessageDefaults defaults)
    : spec_(std::make_shared<const nlohmann::json>(reader.value())),
      path_(reader.path()),
      defaults_(std::move(defaults)) {
  MessageStorage storage;
  message_from_json(reader, storage, defaults_);
}

protocol::Message MessageTemplate::build(MessageStorage& storage) const {
  JsonReader reader(*spec_, path_);
  return message_from_json(reader, storage, defaults_);
}

FrameSource::FrameSource(JsonReader& reader, const MessageDefaults& defaults) {
  const bool has_message = reader.has("message");
  const bool has_hex = reader.has("hex");
  if (has_message == has_hex) {
    reader.skip("message");
    reader.skip("hex");
    throw SpecError(reader.path(), "expected exactly one of \"message\" (a message object) or \"hex\" (raw bytes)");
  }
  if (has_message) {
    message_.emplace(reader.object("message"), defaults);
  } else {
    hex_ = reader.get_hex("hex");
  }
}

std::vector<std::uint8_t> FrameSource::bytes(DeviceModel& model) const {
  if (!message_) return hex_;
  MessageStorage storage;
  return model.encode(message_->build(storage));
}

}  // namespace iocpsim::devsim
