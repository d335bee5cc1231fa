// Application callbacks queued while a device's mutex is held and run after it is released, so a
// callback may call back into the engine for any device without lock-order deadlocks. Each
// device has two: the queue, and the one its draining thread delivers from after swapping them.
// Variable-size data is copied into a byte arena whose capacity is kept (no per-frame allocation
// once warm). No thread_local state: mingw-w64's static runtime crashes running thread_local
// destructors at thread exit.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "iocpsim/engine/engine.hpp"

namespace iocpsim::engine::detail {

class Outbox {
 public:
  void telemetry(const std::string& device, std::uint16_t channel, std::uint32_t seq,
                 std::uint64_t timestamp_us, std::span<const std::uint8_t> samples);
  void device_event(const std::string& device, const DeviceEvent& e);
  void state(const std::string& device, SessionState from, SessionState to);
  void command_done(CommandCallback done, CommandOutcome outcome, std::uint16_t status,
                    std::span<const std::uint8_t> data);

  bool empty() const noexcept { return items_.empty(); }
  void swap(Outbox& other) noexcept {
    items_.swap(other.items_);
    arena_.swap(other.arena_);
    commands_.swap(other.commands_);
  }
  void deliver(const Callbacks& callbacks);

 private:
  enum class Kind : std::uint8_t { telemetry, device_event, state, command };
  struct Item {
    Kind kind;
    const std::string* device;
    std::uint64_t a;  // timestamp
    std::uint32_t b;  // seq / event id / from / status
    std::uint32_t c;  // channel / severity<<16|code / to / outcome
    std::size_t offset;
    std::size_t size;
    std::size_t command_index;
  };
  std::size_t copy(std::span<const std::uint8_t> bytes);
  std::span<const std::uint8_t> bytes_of(const Item& item) const;

  std::vector<Item> items_;
  std::vector<std::uint8_t> arena_;
  std::vector<CommandCallback> commands_;
};

}  // namespace iocpsim::engine::detail
