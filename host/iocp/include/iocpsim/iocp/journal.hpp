// The journal: every call through the fault shim, its arguments that matter, its result, and
// the rule that changed it, stamped by the injected clock.
//
// Appending is cheap: a slot is claimed with one atomic increment and a fixed-size record copied
// into the preallocated ring — no lock, no allocation, no formatting; text is made only when
// someone prints it. When the ring is full the oldest records are overwritten and counted in
// dropped(). Read it (entries, dump) once the calls it records have returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <atomic>
#include <string>
#include <vector>

#include "iocpsim/iocp/fault_outcomes.hpp"
#include "iocpsim/iocp/win32.hpp"

namespace iocpsim::iocp {

struct JournalEntry {
  static constexpr std::int16_t kNoRule = -1;
  std::int64_t time_us = 0;
  Call call = Call::kCount;
  bool batch_entry = false;     // one removed entry of the GetQueuedCompletionStatusEx before it
  std::int16_t rule = kNoRule;  // index of the rule that changed this call, if any
  Outcome outcome = Outcome::kCount;
  std::uintptr_t handle = 0;  // the socket or port
  const void* overlapped = nullptr;
  std::uint64_t arg = 0;    // requested bytes, timeout in ms, entries asked for, flags
  std::int64_t result = 0;  // the call's return value
  std::uint32_t bytes = 0;  // bytes reported
  std::uint32_t error = 0;  // last error after the call
  std::int32_t status = 0;  // NTSTATUS of a completion
  ULONG_PTR key = 0;        // completion key of a completion

  bool changed() const { return rule != kNoRule; }
};

class Journal {
 public:
  explicit Journal(std::size_t capacity);

  void append(const JournalEntry& entry);
  // Oldest first.
  std::vector<JournalEntry> entries() const;
  // Records ever appended since the last clear(): a mark for entries(from). May be read while
  // calls run.
  std::size_t appended() const;
  // The records appended since `from` (a value of appended()) that the ring still holds.
  std::vector<JournalEntry> entries(std::size_t from) const;
  std::size_t dropped() const;
  void clear();

  // One line per entry, for timelines and failure messages.
  static std::string format(const JournalEntry& entry);
  std::string dump() const;

 private:
  JournalEntry& slot(std::size_t i) const { return ring_[mask_ != 0 ? i & mask_ : i % size_]; }

  // Left uninitialized: a slot is read only once written, so a ring that a short run barely uses
  // costs the pages it touches, not a zeroed copy of its whole capacity.
  struct Free {
    void operator()(JournalEntry* p) const noexcept;
  };
  std::unique_ptr<JournalEntry[], Free> ring_;
  std::size_t size_;
  std::size_t mask_;                  // size - 1 when the size is a power of two (> 1), else 0
  std::atomic<std::size_t> next_{0};  // records ever appended since the last clear()
};

}  // namespace iocpsim::iocp
