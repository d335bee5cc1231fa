// One layout function per message lists its fields in wire order; the same function drives
// sizing, writing and reading, so the three cannot disagree. PROTOCOL.md documents each layout.
#include "payload_codec.hpp"

#include <concepts>
#include <cstring>
#include <type_traits>

#include "iocpsim/protocol/decoder.hpp"
#include "wire.hpp"

namespace iocpsim::protocol {

namespace detail {

namespace {

template <class M, class T>
concept Is = std::same_as<std::remove_const_t<M>, T>;

template <class V, Is<Hello> M>
void layout(V& v, M& m) {
  v(m.min_version);
  v.require(m.min_version >= 1);
  v(m.max_version);
  v.require(m.max_version >= m.min_version);
  v(m.capabilities);
  v(m.host_id);
}

template <class V, Is<HelloAck> M>
void layout(V& v, M& m) {
  v(m.version);
  v.require(m.version >= 1);
  v(m.capabilities);
  v(m.heartbeat_interval_ms);
  v(m.device_id);
  v(m.serial);
  v(m.firmware);
}

template <class V, Is<Heartbeat> M>
void layout(V& v, M& m) {
  v(m.nonce);
}
template <class V, Is<HeartbeatAck> M>
void layout(V& v, M& m) {
  v(m.nonce);
}

template <class V, Is<Command> M>
void layout(V& v, M& m) {
  v(m.request_id);
  v(m.opcode);
  v(m.data);
}

template <class V, Is<Response> M>
void layout(V& v, M& m) {
  v(m.request_id);
  v(m.status);
  v(m.data);
}

template <class V, Is<Telemetry> M>
void layout(V& v, M& m) {
  v(m.channel);
  v(m.channel_seq);
  v(m.timestamp_us);
  v(m.samples);
}

template <class V, Is<Event> M>
void layout(V& v, M& m) {
  v(m.event_id);
  v(m.severity);
  v(m.code);
  v(m.timestamp_us);
  v(m.text);
}

template <class V, Is<Bye> M>
void layout(V& v, M& m) {
  v(m.reason);
  v(m.text);
}

template <class V, Is<Error> M>
void layout(V& v, M& m) {
  v(m.code);
  v(m.ref_seq);
  v(m.text);
}

// The enumerations' version-1 ranges; a value outside is inconsistent_payload.
constexpr bool valid(Status s) noexcept { return s <= Status::internal_error; }
constexpr bool valid(Severity s) noexcept { return s <= Severity::critical; }
constexpr bool valid(ByeReason r) noexcept { return r <= ByeReason::idle_timeout; }
constexpr bool valid(ErrorCode c) noexcept { return c >= ErrorCode::malformed_frame && c <= ErrorCode::too_busy; }

template <class T>
using Wire = typename std::conditional_t<std::is_enum_v<T>, std::underlying_type<T>, std::type_identity<T>>::type;

class Sizer {
 public:
  template <class T>
  void operator()(const T&) noexcept {
    size_.bytes += sizeof(Wire<T>);
  }
  void operator()(std::string_view s) noexcept { field(s.size()); }
  void operator()(Bytes b) noexcept { field(b.size()); }
  void require(bool) noexcept {}
  PayloadSize result() const noexcept { return size_; }

 private:
  void field(std::size_t n) noexcept {
    size_.bytes += 2 + n;
    size_.field_too_long |= n > kMaxFieldBytes;
  }
  PayloadSize size_;
};

class Writer {
 public:
  explicit Writer(std::uint8_t* out) noexcept : p_(out) {}
  template <class T>
  void operator()(const T& v) noexcept {
    const auto w = static_cast<Wire<T>>(v);
    if constexpr (sizeof w == 1) *p_ = w;
    if constexpr (sizeof w == 2) store_le16(p_, w);
    if constexpr (sizeof w == 4) store_le32(p_, w);
    if constexpr (sizeof w == 8) store_le64(p_, w);
    p_ += sizeof w;
  }
  void operator()(std::string_view s) noexcept { field(s.data(), s.size()); }
  void operator()(Bytes b) noexcept { field(b.data(), b.size()); }
  void require(bool) noexcept {}

 private:
  void field(const void* data, std::size_t n) noexcept {
    store_le16(p_, static_cast<std::uint16_t>(n));
    if (n != 0) std::memcpy(p_ + 2, data, n);  // memcpy of a null source is undefined even for 0
    p_ += 2 + n;
  }
  std::uint8_t* p_;
};

class Reader {
 public:
  explicit Reader(Bytes in) noexcept : p_(in.data()), size_(in.size()) {}

  template <class T>
  void operator()(T& v) noexcept {
    using W = Wire<T>;
    if (!take(sizeof(W))) return;
    const std::uint8_t* at = p_ + field_start_;
    W w;
    if constexpr (sizeof w == 1) w = *at;
    if constexpr (sizeof w == 2) w = load_le16(at);
    if constexpr (sizeof w == 4) w = load_le32(at);
    if constexpr (sizeof w == 8) w = load_le64(at);
    v = static_cast<T>(w);
    if constexpr (std::is_enum_v<T>) require(valid(v));
  }
  void operator()(std::string_view& s) noexcept {
    const std::uint8_t* d = field();
    if (d != nullptr) s = {reinterpret_cast<const char*>(d), pos_ - (field_start_ + 2)};
  }
  void operator()(Bytes& b) noexcept {
    const std::uint8_t* d = field();
    if (d != nullptr) b = {d, pos_ - (field_start_ + 2)};
  }
  // Refuses the value of the field just read.
  void require(bool ok) noexcept {
    if (!ok) fail(DecodeError::inconsistent_payload, field_start_);
  }

  DecodeError finish(std::size_t* fault_at) noexcept {
    if (error_ == DecodeError::none && pos_ != size_) fail(DecodeError::inconsistent_payload, pos_);
    if (error_ != DecodeError::none && fault_at != nullptr) *fault_at = fault_at_;
    return error_;
  }

 private:
  bool take(std::size_t n) noexcept {
    if (error_ != DecodeError::none) return false;
    field_start_ = pos_;
    if (size_ - pos_ < n) {
      fail(DecodeError::truncated_payload, pos_);
      return false;
    }
    pos_ += n;
    return true;
  }
  // A length-prefixed field; returns its first data byte, or null on failure.
  const std::uint8_t* field() noexcept {
    if (!take(2)) return nullptr;
    const std::size_t start = field_start_;
    const std::size_t n = load_le16(p_ + start);
    if (size_ - pos_ < n) {
      fail(DecodeError::truncated_payload, start);
      return nullptr;
    }
    pos_ += n;
    field_start_ = start;
    return p_ + start + 2;
  }
  void fail(DecodeError e, std::size_t at) noexcept {
    if (error_ != DecodeError::none) return;
    error_ = e;
    fault_at_ = at;
  }

  const std::uint8_t* p_;
  std::size_t size_;
  std::size_t pos_ = 0;
  std::size_t field_start_ = 0;
  std::size_t fault_at_ = 0;
  DecodeError error_ = DecodeError::none;
};

template <class M>
DecodeError decode_as(Bytes payload, Message& out, std::size_t* fault_at) noexcept {
  Reader reader(payload);
  layout(reader, out.emplace<M>());
  return reader.finish(fault_at);
}

}  // namespace

PayloadSize measure_payload(const Message& m) noexcept {
  Sizer sizer;
  std::visit([&](const auto& msg) { layout(sizer, msg); }, m);
  return sizer.result();
}

void write_payload(const Message& m, std::uint8_t* out) noexcept {
  Writer writer(out);
  std::visit([&](const auto& msg) { layout(writer, msg); }, m);
}

}  // namespace detail

DecodeError decode_payload(MessageType type, Bytes payload, Message& out, std::size_t* fault_at) noexcept {
  using detail::decode_as;
  switch (type) {
    case MessageType::hello:
      return decode_as<Hello>(payload, out, fault_at);
    case MessageType::hello_ack:
      return decode_as<HelloAck>(payload, out, fault_at);
    case MessageType::heartbeat:
      return decode_as<Heartbeat>(payload, out, fault_at);
    case MessageType::heartbeat_ack:
      return decode_as<HeartbeatAck>(payload, out, fault_at);
    case MessageType::command:
      return decode_as<Command>(payload, out, fault_at);
    case MessageType::response:
      return decode_as<Response>(payload, out, fault_at);
    case MessageType::telemetry:
      return decode_as<Telemetry>(payload, out, fault_at);
    case MessageType::event:
      return decode_as<Event>(payload, out, fault_at);
    case MessageType::bye:
      return decode_as<Bye>(payload, out, fault_at);
    case MessageType::error:
      return decode_as<Error>(payload, out, fault_at);
  }
  // The decoder never passes an unknown type; a direct caller gets the closest answer.
  if (fault_at != nullptr) *fault_at = 0;
  return DecodeError::inconsistent_payload;
}

}  // namespace iocpsim::protocol
