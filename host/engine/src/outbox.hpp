// Application callbacks queued while a device's mutex is held and run after it is released, so a
// callback may call back into the engine for any device without lock-order deadlocks. Each
// device has two: the queue, and the one its draining thread delivers from after swapping them.
// Variable-size data is copied into a byte arena whose capacity is kept (no per-frame allocation
// once warm), except telemetry samples decoded where they lie in a connection's receive buffer:
// those are referenced, since the next receive into that buffer waits until the outbox holding
// them is delivered, and a connection freed before then leaves its buffer to the outbox (keep()).
// The item storage comes from an OutboxPool shared by all devices: an outbox takes a vector when
// it queues its first item and gives it back once delivered, so the few vectors in use at a time
// stay warm in the cache, instead of every device keeping two of its own that each grow (and
// fault in fresh pages) before they are warm.
// No thread_local state: mingw-w64's static runtime crashes running thread_local destructors at
// thread exit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "iocpsim/engine/engine.hpp"
#include "iocpsim/world/sync.hpp"

namespace iocpsim::engine::detail {

// A connection's receive buffer. Not zero-filled: only the pages that receives write into are
// ever touched (a receive seldom fills the whole buffer).
struct ReceiveBuffer {
  explicit ReceiveBuffer(std::size_t n) : bytes(std::make_unique_for_overwrite<std::uint8_t[]>(n)), size(n) {}
  std::uint8_t* data() const noexcept { return bytes.get(); }
  std::unique_ptr<std::uint8_t[]> bytes;
  std::size_t size;
};

enum class OutboxKind : std::uint8_t { telemetry, device_event, state, command };

// Half a cache line: written and read once per telemetry message.
struct OutboxItem {
  OutboxKind kind;
  bool in_arena;    // the bytes are in the arena at offset `where`, else at address `where`
  std::uint32_t b;  // seq / event id / from / status
  std::uint64_t a;  // timestamp / command index
  std::uint32_t c;  // channel / severity<<16|code / to / outcome
  std::uint32_t size;
  std::uintptr_t where;
};
static_assert(sizeof(OutboxItem) == 32);

// Empty item vectors with their capacity; the most recently returned (the warmest) goes first.
class OutboxPool {
 public:
  std::vector<OutboxItem> take() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return {};
    std::vector<OutboxItem> v = std::move(free_.back());
    free_.pop_back();
    return v;
  }
  void give(std::vector<OutboxItem>&& v) {
    if (v.capacity() == 0) return;
    v.clear();
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(v));
  }

 private:
  world::Mutex mutex_;
  std::vector<std::vector<OutboxItem>> free_;
};

class Outbox {
 public:
  // `device`: the name every callback from this outbox carries (one outbox serves one device).
  Outbox(OutboxPool& pool, const std::string& device) : pool_(pool), device_(device) {}
  ~Outbox() { pool_.give(std::move(items_)); }
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  void telemetry(std::uint16_t channel, std::uint32_t seq, std::uint64_t timestamp_us,
                 std::span<const std::uint8_t> samples);
  // The same without a copy: `samples` must stay valid until this outbox has been delivered.
  // Inline: it is one item per telemetry frame.
  void telemetry_in_place(std::uint16_t channel, std::uint32_t seq, std::uint64_t timestamp_us,
                          std::span<const std::uint8_t> samples) {
    push({Kind::telemetry, false, seq, timestamp_us, channel, static_cast<std::uint32_t>(samples.size()),
          reinterpret_cast<std::uintptr_t>(samples.data())});
  }
  void device_event(const DeviceEvent& e);
  void state(SessionState from, SessionState to);
  void command_done(CommandCallback done, CommandOutcome outcome, std::uint16_t status,
                    std::span<const std::uint8_t> data);

  // Frees `buffer` only after this outbox (or the one it is swapped with) is next delivered.
  void keep(ReceiveBuffer&& buffer);
  // Frees what keep() took; only when nothing queued or being delivered can refer to it.
  void drop_kept() noexcept { kept_.clear(); }

  bool empty() const noexcept { return items_.empty(); }
  void swap(Outbox& other) noexcept {
    items_.swap(other.items_);
    arena_.swap(other.arena_);
    commands_.swap(other.commands_);
    kept_.swap(other.kept_);
  }
  // Delivers everything queued, then gives the item storage back to the pool.
  void deliver(const Callbacks& callbacks);

 private:
  using Kind = OutboxKind;
  using Item = OutboxItem;
  void push(const Item& item) {
    if (items_.size() == items_.capacity()) [[unlikely]]
      return push_growing(item);
    items_.push_back(item);
  }
  void push_growing(const Item& item);
  std::uint32_t copy(std::span<const std::uint8_t> bytes);
  std::span<const std::uint8_t> bytes_of(const Item& item) const;

  OutboxPool& pool_;
  const std::string& device_;
  std::vector<Item> items_;
  std::vector<std::uint8_t> arena_;
  std::vector<CommandCallback> commands_;
  std::vector<ReceiveBuffer> kept_;
};

}  // namespace iocpsim::engine::detail
