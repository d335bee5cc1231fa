// The journal's ring and its text form.
#include "iocpsim/iocp/journal.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <type_traits>

namespace iocpsim::iocp {

static_assert(std::is_trivially_copyable_v<JournalEntry> && std::is_trivially_destructible_v<JournalEntry>);

void Journal::Free::operator()(JournalEntry* p) const noexcept { std::free(p); }

// malloc creates the records implicitly (JournalEntry is an implicit-lifetime type) and touches no
// page until a record is written.
Journal::Journal(std::size_t capacity)
    : ring_(static_cast<JournalEntry*>(std::malloc(sizeof(JournalEntry) * (capacity == 0 ? 1 : capacity)))),
      size_(capacity == 0 ? 1 : capacity),
      mask_((size_ & (size_ - 1)) == 0 ? size_ - 1 : 0) {
  if (!ring_) throw std::bad_alloc();
}

void Journal::append(const JournalEntry& entry) {
  // Writers never share a slot until the ring wraps; readers come after the writers.
  const std::size_t slot = next_.fetch_add(1, std::memory_order_relaxed);
  // A power-of-two ring (the default) spares every record a division.
  this->slot(slot) = entry;
}

std::vector<JournalEntry> Journal::entries() const { return entries(0); }

std::size_t Journal::appended() const { return next_.load(std::memory_order_acquire); }

std::vector<JournalEntry> Journal::entries(std::size_t from) const {
  const std::size_t total = next_.load(std::memory_order_acquire);
  const std::size_t oldest = total < size_ ? 0 : total - size_;
  std::vector<JournalEntry> out;
  for (std::size_t i = std::max(from, oldest); i < total; ++i) out.push_back(slot(i));
  return out;
}

std::size_t Journal::dropped() const {
  const std::size_t total = next_.load(std::memory_order_acquire);
  return total > size_ ? total - size_ : 0;
}

void Journal::clear() { next_.store(0, std::memory_order_release); }

std::string Journal::format(const JournalEntry& e) {
  char line[256];
  std::snprintf(line, sizeof line,
                "%10lld us %s%s h=%#llx ov=%p arg=%llu -> ret=%lld bytes=%u err=%u status=%#x key=%#llx",
                static_cast<long long>(e.time_us), e.batch_entry ? "  entry of " : "",
                e.call == Call::kCount ? "event" : call_name(e.call), static_cast<unsigned long long>(e.handle),
                e.overlapped, static_cast<unsigned long long>(e.arg), static_cast<long long>(e.result), e.bytes,
                e.error, static_cast<unsigned>(e.status), static_cast<unsigned long long>(e.key));
  std::string out = line;
  if (e.call == Call::kCount) {
    out += " [";
    out += outcome_name(e.outcome);
    out += " forced now]";
  }
  if (e.changed()) {
    out += " [rule ";
    out += std::to_string(e.rule);
    out += ": ";
    out += outcome_name(e.outcome);
    out += "]";
  }
  return out;
}

std::string Journal::dump() const {
  std::string out;
  for (const JournalEntry& e : entries()) {
    out += format(e);
    out += '\n';
  }
  return out;
}

}  // namespace iocpsim::iocp
