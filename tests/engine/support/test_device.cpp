#include "test_device.hpp"

#include <gtest/gtest.h>

#include "iocpsim/iocp/io_api_backend.hpp"

namespace iocpsim::engine::testing {

namespace proto = iocpsim::protocol;

proto::Message PeerFrame::decode() const {
  proto::Message m;
  std::size_t fault = 0;
  const proto::Bytes payload(raw.data() + proto::kHeaderSize, raw.size() - proto::kFrameOverhead);
  EXPECT_EQ(proto::decode_payload(type, payload, m, &fault), proto::DecodeError::none);
  return m;
}

TestDevice::TestDevice() : io_(iocp::make_default_io_api()) {
  listener_ = io_->socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(io_->bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(io_->listen(listener_, 16), 0);
  int len = sizeof addr;
  io_->getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
}

TestDevice::~TestDevice() {
  close();
  stop_listening();
}

void TestDevice::stop_listening() {
  if (listener_ != INVALID_SOCKET) io_->closesocket(listener_);
  listener_ = INVALID_SOCKET;
}

void TestDevice::accept() {
  close();
  conn_ = io_->accept(listener_, nullptr, nullptr);
  ASSERT_NE(conn_, INVALID_SOCKET);
  decoder_.reset();
  pending_.clear();
  seq_ = 0;
}

PeerFrame TestDevice::read_frame() {
  std::vector<std::uint8_t> buf(4096);
  for (;;) {
    if (!pending_.empty()) {
      const proto::DecodeResult r = decoder_.put(pending_);
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(r.consumed));
      EXPECT_NE(r.status, proto::DecodeStatus::error) << proto::to_string(r.error);
      if (r.status == proto::DecodeStatus::frame) {
        return {
            r.frame.header.type, r.frame.header.seq, r.frame.header.flags, {r.frame.raw.begin(), r.frame.raw.end()}};
      }
      if (r.status == proto::DecodeStatus::error) return {};
    }
    const int n = io_->recv(conn_, reinterpret_cast<char*>(buf.data()), static_cast<int>(buf.size()), 0);
    if (n <= 0) {
      ADD_FAILURE() << "peer: connection ended while waiting for a frame";
      return {};
    }
    pending_.insert(pending_.end(), buf.begin(), buf.begin() + n);
  }
}

bool TestDevice::read_end_of_stream() {
  char buf[4096];
  for (;;) {
    const int n = io_->recv(conn_, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return false;
  }
}

void TestDevice::send(const proto::Message& m, std::uint16_t flags) {
  std::vector<std::uint8_t> out(proto::frame_size(m));
  const proto::EncodeResult r = proto::encode(m, seq_++, out, flags);
  ASSERT_TRUE(r);
  out.resize(r.size);
  send_raw(out);
}

void TestDevice::send_raw(std::span<const std::uint8_t> bytes) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const int n =
        io_->send(conn_, reinterpret_cast<const char*>(bytes.data() + at), static_cast<int>(bytes.size() - at), 0);
    ASSERT_GT(n, 0) << "peer: send failed " << io_->WSAGetLastError();
    at += static_cast<std::size_t>(n);
  }
}

void TestDevice::handshake(std::uint8_t version, std::uint32_t heartbeat_interval_ms) {
  accept();
  const PeerFrame hello = read_frame();
  ASSERT_EQ(hello.type, proto::MessageType::hello);
  send(proto::HelloAck{version, 0x7, heartbeat_interval_ms, "dev", "sn-1", "fw-1"});
}

void TestDevice::telemetry(std::uint16_t channel, std::uint32_t channel_seq, std::size_t sample_bytes) {
  std::vector<std::uint8_t> samples(sample_bytes, static_cast<std::uint8_t>(channel_seq));
  send(proto::Telemetry{channel, channel_seq, 1000u * channel_seq, samples});
}

void TestDevice::shutdown_send() { io_->shutdown(conn_, SD_SEND); }

void TestDevice::reset() {
  const linger abort_on_close{1, 0};
  io_->setsockopt(conn_, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&abort_on_close), sizeof abort_on_close);
  close();
}

void TestDevice::close() {
  if (conn_ != INVALID_SOCKET) io_->closesocket(conn_);
  conn_ = INVALID_SOCKET;
}

}  // namespace iocpsim::engine::testing
