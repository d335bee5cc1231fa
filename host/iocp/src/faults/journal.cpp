// The journal's ring and its text form.
#include "iocpsim/iocp/journal.hpp"

#include <algorithm>
#include <cstdio>

namespace iocpsim::iocp {

Journal::Journal(std::size_t capacity)
    : ring_(capacity == 0 ? 1 : capacity), mask_((ring_.size() & (ring_.size() - 1)) == 0 ? ring_.size() - 1 : 0) {}

void Journal::append(const JournalEntry& entry) {
  // Writers never share a slot until the ring wraps; readers come after the writers.
  const std::size_t slot = next_.fetch_add(1, std::memory_order_relaxed);
  // A power-of-two ring (the default) spares every record a division.
  ring_[mask_ != 0 ? slot & mask_ : slot % ring_.size()] = entry;
}

std::vector<JournalEntry> Journal::entries() const { return entries(0); }

std::size_t Journal::appended() const { return next_.load(std::memory_order_acquire); }

std::vector<JournalEntry> Journal::entries(std::size_t from) const {
  const std::size_t total = next_.load(std::memory_order_acquire);
  const std::size_t oldest = total < ring_.size() ? 0 : total - ring_.size();
  std::vector<JournalEntry> out;
  for (std::size_t i = std::max(from, oldest); i < total; ++i) out.push_back(ring_[i % ring_.size()]);
  return out;
}

std::size_t Journal::dropped() const {
  const std::size_t total = next_.load(std::memory_order_acquire);
  return total > ring_.size() ? total - ring_.size() : 0;
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
