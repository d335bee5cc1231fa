// Workers: dequeue in batches with GetQueuedCompletionStatusEx, classify every entry (and every
// failed dequeue) with classify(), and give each row its one action.
#include <algorithm>
#include <exception>
#include <vector>

#include "engine_impl.hpp"

namespace iocpsim::engine {

using detail::Connection;
using detail::Device;
using detail::OpContext;
using detail::Outbox;

void Engine::Impl::post(ULONG_PTR key) {
  // Once the port is gone (R3) its handle value may already name something else.
  if (port != nullptr && !port_lost()) io.PostQueuedCompletionStatus(port, 0, key, nullptr);
}

DWORD Engine::Impl::wait_timeout_ms() const {
  const std::int64_t next = timers.next_ms();
  if (next == detail::kNever) return INFINITE;
  const std::int64_t delta = next - now_ms();
  // INFINITE is 0xFFFFFFFF: stay below it for a far deadline.
  return static_cast<DWORD>(std::clamp<std::int64_t>(delta, 0, 0x7FFFFFFF));
}

void Engine::Impl::resume_later(Device& d) {
  {
    std::lock_guard lock(resume_mutex);
    resume_queue.push_back(&d);
  }
  post(detail::kResumeKey);
}

// A kResumeKey packet: the device's turn goes on behind what the port held before it. A
// spurious one (R11) finds nothing queued. Devices are never freed while workers run.
void Engine::Impl::resume_next() {
  Device* d = nullptr;
  {
    std::lock_guard lock(resume_mutex);
    if (resume_queue.empty()) return;
    d = resume_queue.front();
    resume_queue.pop_front();
  }
  with_device(*d, [](Outbox&) {});  // with_device() delivers and issues the parked receive
}

void Engine::Impl::run_due_timers() {
  for (Device* d : timers.pop_due(now_ms())) {
    with_device(*d, [&](Outbox& box) {
      d->armed_ms = detail::kNever;  // this entry is used up; rearm() pushes the next one
      try {
        on_timers(*d, box);
      } catch (const std::exception& e) {
        contain_exception(*d, d->conn, "timer", e.what(), box);
      } catch (...) {
        contain_exception(*d, d->conn, "timer", "not a std::exception", box);
      }
    });
  }
}

void Engine::Impl::worker_loop() {
  std::vector<OVERLAPPED_ENTRY> entries(std::max<std::uint32_t>(options.dequeue_batch, 1));
  for (;;) {
    run_due_timers();
    ULONG removed = 0;
    const BOOL ok = io.GetQueuedCompletionStatusEx(port, entries.data(), static_cast<ULONG>(entries.size()), &removed,
                                                   wait_timeout_ms(), FALSE);
    if (!ok) {
      // R2/R3/R14b: the count is set even on FALSE (R2) and must be ignored.
      Observation o;
      o.source = Observation::Source::dequeue_failed;
      o.error = io.GetLastError();
      const CompletionRow row = classify(o);
      if (row == CompletionRow::r3_port_closed) {
        emit(nullptr, "worker_port_closed", {{"row", to_string(row)}, {"error", o.error}});
        ++workers_port_closed;
        note_connection_freed();  // a shutdown waiting for completions that cannot come any more
        return;
      }
      continue;  // R2, R14b: timers at the top, then wait again
    }
    unsigned sentinels = 0;
    for (ULONG i = 0; i < removed; ++i) dispatch_entry(entries[i], sentinels);
    if (sentinels > 0) {
      // One sentinel per worker was posted; a batch may have taken another worker's too.
      for (unsigned extra = 1; extra < sentinels; ++extra) post(detail::kSentinelKey);
      return;
    }
  }
}

void Engine::Impl::dispatch_entry(const OVERLAPPED_ENTRY& entry, unsigned& sentinels) {
  Observation o;
  o.source = Observation::Source::entry;
  o.has_overlapped = entry.lpOverlapped != nullptr;
  o.status = iocp::ntstatus_of(entry.Internal);
  o.bytes = entry.dwNumberOfBytesTransferred;
  if (!o.has_overlapped) {
    // R11: a posted packet. The sentinel ends the loop, a resume continues a device's turn;
    // anything else is a wake-up for timers.
    if (entry.lpCompletionKey == detail::kSentinelKey) ++sentinels;
    if (entry.lpCompletionKey == detail::kResumeKey) resume_next();
    return;
  }
  OpContext& op = *detail::op_from(entry.lpOverlapped);
  Connection& c = *op.conn;  // alive: the live op holds a reference
  Device& d = c.device;
  with_device(d, [&](Outbox& box) {
    o.kind = op.kind;
    o.requested_bytes = op.requested;
    o.cancelled_by_us = op.cancelled_by_us;
    const CompletionRow row = classify(o);
    if (entry.lpCompletionKey != reinterpret_cast<ULONG_PTR>(&c) || op.generation != c.generation) {
      emit(&d, "stale_completion", {{"row", to_string(row)}, {"op", to_string(op.kind)}});
    }
    // The Win32 code GQCS would have shown; the row, not the code, decides what happens.
    handle_completion(d, op, row, o.bytes, static_cast<DWORD>(o.status), box);
  });
}

// ---- TimerQueue ----
namespace detail {

bool TimerQueue::push(std::int64_t at_ms, Device* d) {
  std::lock_guard lock(mutex_);
  const bool earliest = heap_.empty() || at_ms < heap_.top().at_ms;
  heap_.push({at_ms, d});
  return earliest;
}

std::vector<Device*> TimerQueue::pop_due(std::int64_t now_ms) {
  std::vector<Device*> due;
  std::lock_guard lock(mutex_);
  while (!heap_.empty() && heap_.top().at_ms <= now_ms) {
    if (std::find(due.begin(), due.end(), heap_.top().device) == due.end()) {
      due.push_back(heap_.top().device);
    }
    heap_.pop();
  }
  return due;
}

std::int64_t TimerQueue::next_ms() const {
  std::lock_guard lock(mutex_);
  return heap_.empty() ? kNever : heap_.top().at_ms;
}

}  // namespace detail
}  // namespace iocpsim::engine
