#include "outbox.hpp"

#include <utility>

namespace iocpsim::engine::detail {

std::uint32_t Outbox::copy(std::span<const std::uint8_t> bytes) {
  const auto at = static_cast<std::uint32_t>(arena_.size());
  arena_.insert(arena_.end(), bytes.begin(), bytes.end());
  return at;
}

std::span<const std::uint8_t> Outbox::bytes_of(const Item& item) const {
  if (!item.in_arena) return {reinterpret_cast<const std::uint8_t*>(item.where), item.size};
  return std::span(arena_).subspan(item.where, item.size);
}

void Outbox::telemetry(std::uint16_t channel, std::uint32_t seq, std::uint64_t timestamp_us,
                       std::span<const std::uint8_t> samples) {
  push({Kind::telemetry, true, seq, timestamp_us, channel, static_cast<std::uint32_t>(samples.size()), copy(samples)});
}

// The first item takes storage from the pool; a full vector grows as vectors do.
void Outbox::push_growing(const Item& item) {
  if (items_.capacity() == 0) items_ = pool_.take();
  items_.push_back(item);
}

void Outbox::device_event(const DeviceEvent& e) {
  const auto* text = reinterpret_cast<const std::uint8_t*>(e.text.data());
  const std::uint32_t at = copy({text, e.text.size()});
  push({Kind::device_event, true, e.event_id, e.timestamp_us, (static_cast<std::uint32_t>(e.severity) << 16) | e.code,
        static_cast<std::uint32_t>(e.text.size()), at});
}

void Outbox::state(SessionState from, SessionState to) {
  push({Kind::state, false, static_cast<std::uint32_t>(from), 0, static_cast<std::uint32_t>(to), 0, 0});
}

void Outbox::command_done(CommandCallback done, CommandOutcome outcome, std::uint16_t status,
                          std::span<const std::uint8_t> data) {
  commands_.push_back(std::move(done));
  const std::uint32_t at = copy(data);
  push({Kind::command, true, status, commands_.size() - 1, static_cast<std::uint32_t>(outcome),
        static_cast<std::uint32_t>(data.size()), at});
}

void Outbox::keep(ReceiveBuffer&& buffer) { kept_.push_back(std::move(buffer)); }

void Outbox::deliver(const Callbacks& cb) {
  const bool wants_telemetry = static_cast<bool>(cb.on_telemetry);
  for (const Item& item : items_) {
    // Nearly every item of a busy device is telemetry.
    if (item.kind == Kind::telemetry) [[likely]] {
      if (wants_telemetry) {
        cb.on_telemetry(device_, {static_cast<std::uint16_t>(item.c), item.b, item.a, bytes_of(item)});
      }
      continue;
    }
    switch (item.kind) {
      case Kind::telemetry:  // delivered above
        break;
      case Kind::device_event:
        if (cb.on_device_event) {
          const auto text = bytes_of(item);
          cb.on_device_event(device_, {item.b,
                                       static_cast<std::uint8_t>(item.c >> 16),
                                       static_cast<std::uint16_t>(item.c & 0xFFFF),
                                       item.a,
                                       {reinterpret_cast<const char*>(text.data()), text.size()}});
        }
        break;
      case Kind::state:
        if (cb.on_state) {
          cb.on_state(device_, static_cast<SessionState>(item.b), static_cast<SessionState>(item.c));
        }
        break;
      case Kind::command: {
        CommandCallback& done = commands_[item.a];
        if (done) {
          done({static_cast<CommandOutcome>(item.c), static_cast<std::uint16_t>(item.b), bytes_of(item)});
        }
        break;
      }
    }
  }
  pool_.give(std::move(items_));
  items_ = {};
  arena_.clear();
  commands_.clear();
  kept_.clear();
}

}  // namespace iocpsim::engine::detail
