// A table of reusable objects with stable addresses, looked up without a lock.
//
// Handles of the emulation (ports, sockets) are slot indexes. A slot's object is never freed
// while the table lives, so a thread may hold a pointer to it while another thread closes and
// reuses the slot: the object's own mutex and generation decide what the handle still means.
// Released slots are reused newest-first, so handle values come back as quickly as Windows
// reuses socket values.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace iocpsim::iocp::detail {

template <class T>
class SlotTable {
 public:
  static constexpr std::uint32_t kChunkSize = 64;
  static constexpr std::uint32_t kChunkCount = 1024;
  static constexpr std::uint32_t kCapacity = kChunkSize * kChunkCount;

  SlotTable() = default;
  SlotTable(const SlotTable&) = delete;
  SlotTable& operator=(const SlotTable&) = delete;
  ~SlotTable() {
    for (auto& chunk : chunks_) delete chunk.load(std::memory_order_relaxed);
  }

  // A free slot for the caller to initialise, or nothing when the table is full.
  std::optional<std::uint32_t> acquire() {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      const std::uint32_t index = free_.back();
      free_.pop_back();
      return index;
    }
    if (next_ == kCapacity) return std::nullopt;
    const std::uint32_t index = next_++;
    auto& chunk = chunks_[index / kChunkSize];
    if (chunk.load(std::memory_order_relaxed) == nullptr) {
      chunk.store(new Chunk(), std::memory_order_release);
    }
    return index;
  }

  void release(std::uint32_t index) {
    std::lock_guard lock(mutex_);
    free_.push_back(index);
  }

  // The object in a slot ever handed out, or nullptr.
  T* find(std::uint64_t index) const {
    if (index >= kCapacity) return nullptr;
    Chunk* chunk = chunks_[index / kChunkSize].load(std::memory_order_acquire);
    return chunk == nullptr ? nullptr : &(*chunk)[index % kChunkSize];
  }

  // Calls f(index, object) for every slot ever handed out.
  template <class F>
  void for_each(F&& f) const {
    std::uint32_t end = 0;
    {
      std::lock_guard lock(mutex_);
      end = next_;
    }
    for (std::uint32_t i = 0; i < end; ++i) f(i, *find(i));
  }

 private:
  using Chunk = std::array<T, kChunkSize>;
  std::array<std::atomic<Chunk*>, kChunkCount> chunks_{};
  mutable std::mutex mutex_;
  std::vector<std::uint32_t> free_;
  std::uint32_t next_ = 0;
};

}  // namespace iocpsim::iocp::detail
