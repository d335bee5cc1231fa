#include <algorithm>

#include "run_detail.hpp"

namespace iocpsim::scenario::detail {

void RunSink::write(const engine::Event& e) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(e);
    times_us_.push_back(clock_.now().count() - epoch_us_);
  }
  changed_.notify_all();
}

std::uint64_t RunSink::count(const EventCount& what) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::uint64_t>(std::count_if(events_.begin(), events_.end(), [&](const engine::Event& e) {
    return e.name == what.event && (!what.device || e.device == *what.device);
  }));
}

void RunSink::wait(std::size_t seen, std::chrono::microseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return events_.size() > seen; });
}

std::size_t RunSink::size() const {
  std::lock_guard lock(mutex_);
  return events_.size();
}

std::vector<engine::Event> RunSink::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

std::vector<std::int64_t> RunSink::times_us() const {
  std::lock_guard lock(mutex_);
  return times_us_;
}

}  // namespace iocpsim::scenario::detail
