// The engine's insides, shared by the files that implement it:
//   engine.cpp       public API, device table, with_device()
//   worker.cpp       worker loop, GQCSEx batches, the dispatch of every classified entry
//   connection.cpp   op contexts, issuing ConnectEx/WSARecv/WSASend, closing
//   session.cpp      the engine's side of each device's ProtocolSession (protocol_session.hpp)
//   timers.cpp       the timer queue, connection deadlines, reconnect backoff
//   shutdown.cpp     the drain sequence of DESIGN.md
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <cstdint>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connection.hpp"
#include "device.hpp"
#include "iocpsim/engine/engine.hpp"
#include "iocpsim/world/sync.hpp"
#include "outbox.hpp"

namespace iocpsim::engine {

namespace detail {

// Whether the IoApi honours FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, tried on a loopback pair of
// its own sockets and a port of its own: `reason` names what was found ("honoured",
// "packet_queued", "notification_modes", "setup", "no_inline_success").
struct SkipProbe {
  bool honoured = false;
  const char* reason = "setup";
  DWORD error = 0;
};
SkipProbe probe_skip_on_success(iocp::IoApi& io);

// Completion keys of posted packets (R11). Connection keys are pointers, never these values.
inline constexpr ULONG_PTR kWakeKey = 1;
inline constexpr ULONG_PTR kSentinelKey = 2;
inline constexpr ULONG_PTR kResumeKey = 3;  // a device's turn ended early: resume_queue says whose

// Receives one device's delivering thread issues in one turn (each up to receive_buffer_bytes).
// Receives that complete at once (R9b) would otherwise keep a flooding device's thread on it;
// past this the device queues up behind the port's other packets.
inline constexpr unsigned kReceivesPerTurn = 4;

// Deadlines of all devices, earliest first. Entries may be stale (a device's deadline moved);
// a device checks its own deadlines when its entry comes up, so stale entries cost one look.
class TimerQueue {
 public:
  // True if `at_ms` is now the earliest deadline (a sleeping worker may need waking).
  bool push(std::int64_t at_ms, Device* d);
  std::vector<Device*> pop_due(std::int64_t now_ms);
  std::int64_t next_ms() const;

 private:
  struct Entry {
    std::int64_t at_ms;
    Device* device;
    bool operator>(const Entry& o) const { return at_ms > o.at_ms; }
  };
  mutable world::Mutex mutex_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
};

}  // namespace detail

struct Engine::Impl {
  Impl(iocp::IoApi& io_api, const iocp::Clock& c, EventLog& l, EngineOptions o, Callbacks cbs);

  iocp::IoApi& io;
  const iocp::Clock& clock;
  EventLog& log;
  const EngineOptions options;
  const Callbacks callbacks;

  HANDLE port = nullptr;
  bool skip_on_success = false;  // R9b on the engine's sockets, decided by start()
  std::vector<world::Thread> workers;
  bool started = false;
  bool finished = false;

  detail::OutboxPool outbox_pool;  // before the devices: their outboxes give storage back to it
  mutable world::Mutex devices_mutex;
  std::map<std::string, std::unique_ptr<detail::Device>> devices;
  std::vector<std::unique_ptr<detail::Device>> retired;  // removed; kept for late timer entries

  detail::TimerQueue timers;
  world::Mutex resume_mutex;
  std::deque<detail::Device*> resume_queue;  // one entry per kResumeKey packet posted
  std::atomic<std::size_t> live_ops{0};
  std::atomic<std::size_t> live_connections{0};
  std::atomic<bool> stopping{false};
  // Workers that left their loop because the port is gone (R3). Once all have, nothing can be
  // dequeued again: no completion will ever come, and the port handle is not ours to close.
  std::atomic<unsigned> workers_port_closed{0};
  world::Mutex drain_mutex;
  world::CondVar drained;

  world::Mutex rng_mutex;  // SeededRandom is not thread-safe
  iocp::SeededRandom rng;

  std::int64_t now_ms() const { return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now()).count(); }

  // ---- engine.cpp ----
  void emit(const detail::Device* d, const char* name, nlohmann::json fields = nlohmann::json::object());
  void set_state(detail::Device& d, SessionState to, detail::Outbox& box);
  std::vector<detail::Device*> all_devices() const;
  detail::Device* find_device(const std::string& name) const;
  // Runs `fn` with the device locked and re-arms its timer; then, unless another thread is at it,
  // delivers the device's queued callbacks (unlocked) and issues the receive that waited for
  // them, until nothing is left to do.
  template <class Fn>
  void with_device(detail::Device& d, Fn&& fn);
  void drain(detail::Device& d, std::unique_lock<world::Mutex>& lock);

  // ---- worker.cpp ----
  void worker_loop();
  void dispatch_entry(const OVERLAPPED_ENTRY& entry, unsigned& sentinels);
  void run_due_timers();
  DWORD wait_timeout_ms() const;
  void post(ULONG_PTR key);
  void resume_later(detail::Device& d);
  void resume_next();

  // ---- connection.cpp ----
  void start_connect(detail::Device& d, detail::Outbox& box);
  void issue_receive(detail::Device& d, detail::Connection& c, detail::Outbox& box);
  void pump_send(detail::Device& d, detail::Connection& c, detail::Outbox& box);
  void pump_send_loop(detail::Device& d, detail::Connection& c, detail::Outbox& box);
  void handle_completion(detail::Device& d, detail::OpContext& op, CompletionRow row, DWORD bytes, DWORD error,
                         detail::Outbox& box);
  void act_on_row(detail::Device& d, detail::OpContext& op, CompletionRow row, DWORD bytes, DWORD error,
                  detail::Outbox& box);
  void contain_exception(detail::Device& d, detail::Connection* c, const char* op, const char* what,
                         detail::Outbox& box) noexcept;
  void handle_issue_result(detail::Device& d, detail::OpContext& op, int rc, DWORD bytes, detail::Outbox& box);
  void close_connection(detail::Device& d, detail::Connection& c, detail::Outbox& box);
  void fail_and_reconnect(detail::Device& d, detail::Connection& c, detail::Outbox& box);
  void half_close(detail::Device& d, detail::Connection& c);
  void cancel_op(detail::Device& d, detail::OpContext& op);
  void park_receive(detail::Connection& c);
  void acquire(detail::OpContext& op);
  void release(detail::OpContext& op);
  void drop_ref(detail::Connection& c);

  // ---- session.cpp: the engine's side of each device's ProtocolSession ----
  void on_connected(detail::Device& d, detail::Connection& c, detail::Outbox& box);
  void on_received(detail::Device& d, detail::Connection& c, DWORD bytes, detail::Outbox& box);
  void on_sent(detail::Device& d, detail::Connection& c, DWORD bytes, CompletionRow row, detail::Outbox& box);
  void on_end_of_stream(detail::Device& d, detail::Connection& c, detail::Outbox& box);
  Submit submit_command(detail::Device& d, std::uint16_t opcode, std::span<const std::uint8_t> data,
                        std::uint32_t timeout_ms, CommandCallback& done, detail::Outbox& box);

  // ---- timers.cpp ----
  void on_timers(detail::Device& d, detail::Outbox& box);
  void on_session_timers(detail::Device& d, detail::Connection& c, std::int64_t now, detail::Outbox& box);
  void rearm(detail::Device& d);
  void schedule_reconnect(detail::Device& d, detail::Outbox& box);
  std::int64_t backoff_ms(const detail::Device& d);

  // ---- shutdown.cpp ----
  void begin_drain(detail::Device& d, detail::Outbox& box);
  void force_close(detail::Device& d, detail::Outbox& box);
  bool wait_connections_closed(std::int64_t ceiling_ms);
  void note_connection_freed();
  bool port_lost() const { return options.workers > 0 && workers_port_closed.load() >= options.workers; }
  void abandon_ops_of_lost_port();
  void abandon_ops(detail::Device& d, detail::Outbox& box);
};

// What a device's ProtocolSession asks of the engine, for one call with the device locked:
// events go to the log, frames out through pump_send, the rest into the device's outbox.
class SessionDriverOf final : public detail::SessionDriver {
 public:
  SessionDriverOf(Engine::Impl& m, detail::Device& d, detail::Connection* c, detail::Outbox& box)
      : m_(m), d_(d), c_(c), box_(box) {}
  void event(const char* name, nlohmann::json fields) override { m_.emit(&d_, name, std::move(fields)); }
  void send_queued() override {
    if (c_ != nullptr && !c_->closed) m_.pump_send(d_, *c_, box_);
  }
  void handshake_done(std::int64_t now) override {
    d_.session_ready_ms = now;  // the backoff resets if the session lives long enough
    m_.set_state(d_, SessionState::ready, box_);
  }
  void telemetry(const protocol::Telemetry& t, bool in_input) override {
    // Samples in the receive buffer stay there until delivered (the next receive waits for
    // that); those of a frame reassembled inside the decoder are copied.
    if (in_input) {
      box_.telemetry_in_place(t.channel, t.channel_seq, t.timestamp_us, t.samples);
    } else {
      box_.telemetry(t.channel, t.channel_seq, t.timestamp_us, t.samples);
    }
  }
  void device_event(const protocol::Event& e) override {
    box_.device_event({e.event_id, static_cast<std::uint8_t>(e.severity), e.code, e.timestamp_us, e.text});
  }
  void command_done(CommandCallback done, CommandOutcome outcome, std::uint16_t status,
                    std::span<const std::uint8_t> data) override {
    box_.command_done(std::move(done), outcome, status, data);
  }

 private:
  Engine::Impl& m_;
  detail::Device& d_;
  detail::Connection* c_;
  detail::Outbox& box_;
};

template <class Fn>
void Engine::Impl::with_device(detail::Device& d, Fn&& fn) {
  std::unique_lock lock(d.mutex);
  fn(d.outbox);
  rearm(d);
  // One thread at a time delivers a device's callbacks, in the order they were queued; a
  // thread that finds another one delivering leaves its items to it.
  if (d.draining) return;
  d.draining = true;
  drain(d, lock);
}

}  // namespace iocpsim::engine
