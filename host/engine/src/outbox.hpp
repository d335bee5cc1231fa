// Application callbacks queued while a device's mutex is held and run after it is released, so a
// callback may call back into the engine for any device without lock-order deadlocks. Each
// device has two: the queue, and the one its draining thread delivers from after swapping them.
// Variable-size data is copied into a byte arena whose capacity is kept (no per-frame allocation
// once warm), except telemetry samples decoded where they lie in a connection's receive buffer:
// those are referenced, since the next receive into that buffer waits until the outbox holding
// them is delivered, and a connection freed before then leaves its buffer to the outbox (keep()).
// No thread_local state: mingw-w64's static runtime crashes running thread_local destructors at
// thread exit.
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
  // The same without a copy: `samples` must stay valid until this outbox has been delivered.
  void telemetry_in_place(const std::string& device, std::uint16_t channel, std::uint32_t seq,
                          std::uint64_t timestamp_us, std::span<const std::uint8_t> samples);
  void device_event(const std::string& device, const DeviceEvent& e);
  void state(const std::string& device, SessionState from, SessionState to);
  void command_done(CommandCallback done, CommandOutcome outcome, std::uint16_t status,
                    std::span<const std::uint8_t> data);

  // Frees `buffer` only after this outbox (or the one it is swapped with) is next delivered.
  void keep(std::vector<std::uint8_t>&& buffer);
  // Frees what keep() took; only when nothing queued or being delivered can refer to it.
  void drop_kept() noexcept { kept_.clear(); }

  bool empty() const noexcept { return items_.empty(); }
  void swap(Outbox& other) noexcept {
    items_.swap(other.items_);
    arena_.swap(other.arena_);
    commands_.swap(other.commands_);
    kept_.swap(other.kept_);
  }
  void deliver(const Callbacks& callbacks);

 private:
  enum class Kind : std::uint8_t { telemetry, device_event, state, command };
  struct Item {
    Kind kind;
    std::uint32_t b;  // seq / event id / from / status
    const std::string* device;
    std::uint64_t a;  // timestamp
    std::uint32_t c;  // channel / severity<<16|code / to / outcome
    std::uint32_t size;
    const std::uint8_t* data;  // the bytes where they lie, or nullptr: in the arena at `offset`
    std::uint32_t offset;
    std::uint32_t command_index;
  };
  std::uint32_t copy(std::span<const std::uint8_t> bytes);
  std::span<const std::uint8_t> bytes_of(const Item& item) const;

  std::vector<Item> items_;
  std::vector<std::uint8_t> arena_;
  std::vector<CommandCallback> commands_;
  std::vector<std::vector<std::uint8_t>> kept_;
};

}  // namespace iocpsim::engine::detail
