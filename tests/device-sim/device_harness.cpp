#include "device_harness.hpp"

namespace iocpsim::devsim::testing {

std::vector<std::uint8_t> encode_frame(const protocol::Message& m, std::uint32_t seq, std::uint16_t flags) {
  std::vector<std::uint8_t> out(protocol::frame_size(m));
  const auto r = protocol::encode(m, seq, out, flags);
  EXPECT_TRUE(r) << protocol::to_string(r.error);
  out.resize(r.size);
  return out;
}

DeviceHarness::DeviceHarness(const std::string& spec, std::uint64_t seed)
    : device_(std::make_unique<Device>(parse_device_spec(nlohmann::json::parse(spec), ""), clock_, seed,
                                       [this](const nlohmann::json& e) { log.push_back(e); })) {}

nlohmann::json DeviceHarness::next_frame() {
  if (frames.empty()) {
    ADD_FAILURE() << "the device sent no (further) frame";
    return {};
  }
  auto f = frames.front();
  frames.pop_front();
  return f;
}

bool DeviceHarness::logged(const std::string& event) const {
  for (const auto& e : log) {
    if (e.value("event", "") == event) return true;
  }
  return false;
}

void DeviceHarness::decode(protocol::Bytes bytes) {
  while (!bytes.empty() && decode_error == protocol::DecodeError::none) {
    const auto r = decoder_.put(bytes);
    bytes = bytes.subspan(r.consumed);
    if (r.status == protocol::DecodeStatus::need_more) return;
    if (r.status == protocol::DecodeStatus::error) {
      decode_error = r.error;
      return;
    }
    frames.push_back(message_to_json(r.frame.message));
    frame_seqs.push_back(r.frame.header.seq);
  }
}

SpecError script_error(const std::string& script) {
  try {
    DeviceHarness h(with_script(script));
  } catch (const SpecError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted " << script;
  return SpecError("", "");
}

void handshake(DeviceHarness& h) {
  h.start();
  h.connect();
  h.host_sends(protocol::Hello{1, 1, 0, "host-1"}, protocol::kFlagReplyExpected);
  const auto ack =
      std::find_if(h.frames.begin(), h.frames.end(), [](const nlohmann::json& f) { return f["type"] == "hello_ack"; });
  ASSERT_NE(ack, h.frames.end()) << "no hello_ack";
  h.frames.erase(ack);
}

}  // namespace iocpsim::devsim::testing
