// The journal's ring and its text form.
#include "iocpsim/iocp/journal.hpp"

#include <cstdio>

namespace iocpsim::iocp {

Journal::Journal(std::size_t capacity) : ring_(capacity == 0 ? 1 : capacity) {}

void Journal::append(const JournalEntry& entry) {
  std::lock_guard lock(mutex_);
  ring_[next_] = entry;
  next_ = (next_ + 1) % ring_.size();
  if (size_ < ring_.size()) {
    ++size_;
  } else {
    ++dropped_;
  }
}

std::vector<JournalEntry> Journal::entries() const {
  std::lock_guard lock(mutex_);
  std::vector<JournalEntry> out;
  out.reserve(size_);
  const std::size_t first = (next_ + ring_.size() - size_) % ring_.size();
  for (std::size_t i = 0; i < size_; ++i) out.push_back(ring_[(first + i) % ring_.size()]);
  return out;
}

std::size_t Journal::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void Journal::clear() {
  std::lock_guard lock(mutex_);
  next_ = size_ = dropped_ = 0;
}

std::string Journal::format(const JournalEntry& e) {
  char line[256];
  std::snprintf(line, sizeof line,
                "%10lld us %s%s h=%#llx ov=%p arg=%llu -> ret=%lld bytes=%u err=%u status=%#x key=%#llx",
                static_cast<long long>(e.time_us), e.batch_entry ? "  entry of " : "",
                e.call == Call::kCount ? "?" : call_name(e.call),
                static_cast<unsigned long long>(e.handle), e.overlapped,
                static_cast<unsigned long long>(e.arg), static_cast<long long>(e.result), e.bytes,
                e.error, static_cast<unsigned>(e.status), static_cast<unsigned long long>(e.key));
  std::string out = line;
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
