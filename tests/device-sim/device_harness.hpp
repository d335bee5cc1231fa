// Drives a Device with no sockets: a manual clock, bytes in from a pretend host, and the
// device's actions collected and its frames decoded.
#pragma once

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "iocpsim/devsim/device.hpp"
#include "iocpsim/devsim/message_json.hpp"
#include "iocpsim/devsim/record.hpp"
#include "iocpsim/devsim/spec.hpp"
#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace iocpsim::devsim::testing {

// A device spec (JSON text) with this script (JSON text of an array of steps).
inline std::string with_script(const std::string& script) { return R"({"script": )" + script + "}"; }

std::vector<std::uint8_t> encode_frame(const protocol::Message& m, std::uint32_t seq, std::uint16_t flags = 0);

class DeviceHarness {
 public:
  // `spec` is a device spec written as JSON text.
  explicit DeviceHarness(const std::string& spec, std::uint64_t seed = 1);

  Device& device() { return *device_; }
  ManualClock& clock() { return clock_; }

  void start() {
    device_->start();
    collect();
  }
  void connect() {
    decoder_.reset();
    decode_error = protocol::DecodeError::none;
    device_->on_accepted();
    collect();
  }
  void host_sends(const protocol::Message& m, std::uint16_t flags = 0) {
    host_sends_bytes(encode_frame(m, host_seq_++, flags));
  }
  void host_sends_bytes(const std::vector<std::uint8_t>& bytes) {
    device_->on_bytes(bytes);
    collect();
  }
  void host_closes() {
    device_->on_peer_eof();
    collect();
  }
  void advance_ms(std::int64_t ms) {
    clock_.advance(std::chrono::milliseconds(ms));
    device_->on_time();
    collect();
  }
  // The transport writes `n` more bytes of what the device handed it (the harness holds them all unwritten until told),
  // as a host that reads again would let it.
  void transport_writes(std::size_t n) {
    written_ += n;
    device_->on_written(n);
    collect();
  }
  void transport_writes_all() { transport_writes(wire.size() - written_); }

  // Moves the clock to each deadline the device asks for, up to `ms` from now.
  void run_for_ms(std::int64_t ms) {
    const auto end = clock_.now() + std::chrono::milliseconds(ms);
    while (true) {
      const auto next = device_->next_deadline();
      if (!next || *next > end) break;
      if (*next > clock_.now()) clock_.set(*next);
      device_->on_time();
      collect();
    }
    clock_.set(end);
    device_->on_time();
    collect();
  }

  void collect() {
    for (auto& action : device_->take_actions()) {
      if (auto* send = std::get_if<SendBytes>(&action)) {
        chunks.push_back(send->bytes);
        wire.insert(wire.end(), send->bytes.begin(), send->bytes.end());
        decode(send->bytes);
      } else {
        ops.push_back(std::get<ConnectionOp>(action));
      }
    }
  }

  // The next frame the device sent, as JSON; fails the test if there is none.
  nlohmann::json next_frame();
  bool logged(const std::string& event) const;

  std::deque<nlohmann::json> frames;              // decoded frames not yet taken
  std::vector<std::uint32_t> frame_seqs;          // header seq of every decoded frame
  std::vector<std::vector<std::uint8_t>> chunks;  // every SendBytes, as handed over
  std::vector<std::uint8_t> wire;                 // all bytes sent
  std::vector<ConnectionOp> ops;
  std::vector<nlohmann::json> log;
  protocol::DecodeError decode_error = protocol::DecodeError::none;

 private:
  void decode(protocol::Bytes bytes);

  ManualClock clock_;
  std::unique_ptr<Device> device_;
  protocol::Decoder decoder_;
  std::uint32_t host_seq_ = 1;
  std::size_t written_ = 0;
};

// The error a device built from this script throws (a default one if it throws none).
SpecError script_error(const std::string& script);

// A device that has accepted a connection and completed the handshake. The HELLO_ACK is taken out
// of the frames; whatever the script sent on connecting stays, in order.
void handshake(DeviceHarness& h);

}  // namespace iocpsim::devsim::testing
