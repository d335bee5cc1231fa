// A message written in a step's JSON, checked when the script is parsed and built each time the
// step runs (so seq, identity defaults and storage are fresh).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "iocpsim/devsim/message_json.hpp"
#include "iocpsim/devsim/model.hpp"

namespace iocpsim::devsim {

class MessageTemplate {
 public:
  // Checks reader's object as a message (throws SpecError); keeps a copy.
  MessageTemplate(JsonReader reader, MessageDefaults defaults);
  protocol::Message build(MessageStorage& storage) const;

 private:
  std::shared_ptr<const nlohmann::json> spec_;  // never changed once checked
  std::string path_;
  MessageDefaults defaults_;
};

// The bytes a byte-level step sends: either a frame built from "message" at run time (taking the
// next seq) or the literal "hex". Exactly one of the two keys must be given.
class FrameSource {
 public:
  FrameSource(JsonReader& reader, const MessageDefaults& defaults);
  std::vector<std::uint8_t> bytes(DeviceModel& model) const;

 private:
  std::optional<MessageTemplate> message_;
  std::vector<std::uint8_t> hex_;
};

}  // namespace iocpsim::devsim
