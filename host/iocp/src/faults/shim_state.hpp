// The fault shim's bookkeeping: what it knows of each socket and each operation issued through
// it, the packets it holds back, and the helpers that keep a forced outcome consistent.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "iocpsim/iocp/clock.hpp"
#include "iocpsim/iocp/fault_injecting_io_api.hpp"
#include "iocpsim/iocp/fault_rules.hpp"
#include "iocpsim/iocp/io_api.hpp"
#include "iocpsim/iocp/journal.hpp"
#include "iocpsim/world/sync.hpp"

namespace iocpsim::iocp::shim_detail {

// What the world did to a connection, as far as the shim forced it.
enum class Health : std::uint8_t { ok, fin, reset, aborted };

struct SocketInfo {
  std::string tag;
  HANDLE port = nullptr;
  ULONG_PTR key = 0;
  bool port_closed = false;  // its port was closed (R3): no op of it will ever have a packet
  bool skip_on_success = false;
  Health health = Health::ok;
  bool peer_not_reading = false;    // every send from now on is held (peer_not_reading)
  bool connect_unanswered = false;  // a ConnectEx is held (connect_unanswered)
  std::uint64_t bytes = 0;          // moved by completed transfers
  std::uint64_t generation = 0;     // which socket of this handle value (socket() and accept() count)
};

// A result the shim puts in place of (or in the absence of) a real one.
struct Forced {
  NTSTATUS status = STATUS_SUCCESS;
  DWORD bytes = 0;
  std::int16_t rule = JournalEntry::kNoRule;
  Outcome outcome = Outcome::kCount;
};

// An operation issued through the shim whose packet has not been dequeued yet.
struct OpInfo {
  enum class Fate : std::uint8_t {
    real,                  // the backend's packet passes unchanged
    synthetic,             // `forced` is its result: the shim posted the packet (no real
                           // op), or the backend ended the real op so (EndsPendingOps)
    rewrite_if_cancelled,  // cancelled by the shim for a forced event: becomes `forced`
    held,                  // no real op and no packet yet: it pends until cancelled, its
                           // socket closed, or its connection torn down (then: synthetic)
  };
  SOCKET socket = INVALID_SOCKET;
  Call call = Call::kCount;
  Fate fate = Fate::real;
  Forced forced;
  bool awaited = false;      // deliver_before_return: the issuing call waits for the dequeue
  std::uint64_t issued = 0;  // held ops: their order, in which they end
};

// One completion as the caller will see it.
struct Completion {
  ULONG_PTR key = 0;
  OVERLAPPED* ov = nullptr;
  DWORD bytes = 0;
  NTSTATUS status = STATUS_SUCCESS;
  DWORD error = 0;                 // GetQueuedCompletionStatus's last error when status fails
  SOCKET socket = INVALID_SOCKET;  // the op's socket, if the shim issued it
  std::int16_t rule = JournalEntry::kNoRule;
  Outcome outcome = Outcome::kCount;
  bool awaited = false;  // its issuer waits until the caller has it (deliver_before_return)
};

// The packet of the op whose forced outcome is an event that ends a connection's other ops, if
// one is: queued before theirs.
struct OwnPacket {
  OVERLAPPED* ov = nullptr;
  Forced forced;
};

struct Held {
  HANDLE port = nullptr;
  Completion completion;
};

// What the journal's records add up to, kept as they are appended, for tests that wait on them
// while calls run (the ring itself may be read only once they have returned).
struct Observed {
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Call::kCount)> calls{};
  std::atomic<std::uint64_t> timed_out_waits{0};
  std::atomic<std::uint64_t> posted{0};           // packets without an OVERLAPPED, posted
  std::atomic<std::uint64_t> posted_dequeued{0};  // ... and dequeued
  std::atomic<std::uint64_t> in_batch_wait{0};    // threads inside the backend's GQCSEx
};

// Win32 code GetQueuedCompletionStatus reports for a failed op's NTSTATUS.
DWORD win32_from_status(NTSTATUS status);
// The status a forced event gives the ops it ends.
NTSTATUS status_of(Outcome o);

// Keeps the caller's last error across the shim's own calls into the backend.
using ErrorKeeper = LastErrorKeeper;

struct ShimState {
  // `word`: the shim's busy word, kept in the FaultInjectingIoApi object for its fast paths.
  ShimState(IoApi& inner_io, std::atomic<std::uint64_t>& word, const FaultOptions& options);

  // What every pass-through call reads: one word, so that one load tells whether the shim has
  // anything to do (zero: no port rule, nothing held, no op tracked, journal off).
  //   bits 0..28   packets held back (reorder, mixed_batch)
  //   bit 29       the backend cannot end an op with a chosen result (no EndsPendingOps),
  //                so a wait keeps the caller's last error (set for the shim's life)
  //   bit 30       a rule watches the port
  //   bit 31       ops held (connect_unanswered, peer_not_reading): CancelIoEx must look
  //   bits 32..62  ops tracked (issued through the shim, packet not yet dequeued)
  //   bit 63       the journal is on
  // Counts change only by atomic add/sub of their unit, flags by atomic or/and, so the fields
  // never disturb one another. Why the loads may be relaxed/acquire: see may_be_tracked. What
  // takes a wait off its shortest path sits in the low 31 bits: one test of an immediate.
  static constexpr std::uint64_t kOneHeld = 1;
  static constexpr std::uint64_t kHeldMask = (std::uint64_t{1} << 29) - 1;
  static constexpr std::uint64_t kKeepsLastError = std::uint64_t{1} << 29;
  static constexpr std::uint64_t kPortRules = std::uint64_t{1} << 30;
  static constexpr std::uint64_t kOpsHeld = std::uint64_t{1} << 31;
  static constexpr std::uint64_t kOneTracked = std::uint64_t{1} << 32;
  static constexpr std::uint64_t kTrackedMask = ((std::uint64_t{1} << 31) - 1) << 32;
  static constexpr std::uint64_t kJournaling = std::uint64_t{1} << 63;
  // Fields that change what a wait does before it reaches the backend.
  static constexpr std::uint64_t kWatchesWait = kPortRules | kHeldMask;
  // Fields that take GetQueuedCompletionStatus off its shortest path.
  static constexpr std::uint64_t kSlowWait = kWatchesWait | kKeepsLastError;

  IoApi& inner;
  // The backend's EndsPendingOps, if it has it: a forced event then ends the ops it hits with
  // their forced result, and no failure is ever turned into a success at the dequeue.
  EndsPendingOps* const ender;
  std::atomic<std::uint64_t>& busy;
  std::atomic<bool> any_rules{false};

  SteadyClock own_clock;
  const Clock& clock;
  Journal journal;

  mutable world::Mutex mu;
  world::CondVar dequeued;
  // Observation (journal on): the counts, and the threads waiting for them to change (with mu).
  Observed observed;
  std::atomic<std::uint32_t> watchers{0};
  world::CondVar observed_changed;
  SeededRandom random;
  RuleSet rules;
  std::unordered_map<SOCKET, SocketInfo> sockets;
  std::uint64_t socket_generations = 0;
  std::unordered_set<HANDLE> closed_ports;  // by forget_port: a socket associated after learns it
  using OpMap = std::unordered_map<const OVERLAPPED*, OpInfo>;
  OpMap ops;
  // Nodes of finished ops, reused so that noting an op does not allocate in the steady state.
  std::vector<OpMap::node_type> spare_ops;
  std::unordered_set<const OVERLAPPED*> delivered;  // awaited ops already dequeued
  std::size_t ops_held = 0;                         // ops whose fate is `held`
  std::uint64_t holds = 0;                          // ops ever held
  std::deque<Held> held;

  void note(JournalEntry entry);
  // Adds a journal record to the counts and wakes whoever waits on them.
  void observe(const JournalEntry& entry);
  // Wakes the threads in wait_observed (cheap when there are none). Takes mu unless `locked`.
  void wake_watchers(bool locked = false);
  // Waits (ceiling: a bound, not a measure) until done() holds, evaluated under mu.
  template <class Done>
  bool wait_observed(std::chrono::milliseconds ceiling, Done done) {
    std::unique_lock lock(mu);
    // Counted before done() is first read: a change made after that read sees the count and
    // takes mu to notify, so it cannot slip between the read and the wait.
    watchers.fetch_add(1);
    const bool ok = observed_changed.wait_for(lock, ceiling, done);
    watchers.fetch_sub(1);
    return ok;
  }
  // A thread enters or leaves the backend's GetQueuedCompletionStatusEx (journal on).
  void entering_batch_wait();
  void left_batch_wait();
  // Under mu: a rule for this call on this socket (INVALID_SOCKET: a port call).
  std::optional<std::size_t> match_locked(Call call, SOCKET s);
  void track_locked(const OVERLAPPED* ov, const OpInfo& op);
  // Under mu: an op is held (fate `held`), or no longer is.
  void count_held_locked(OpInfo& op);
  void uncount_held_locked(const OpInfo& op);
  // Why held ops end: a cancel (R7: 995), their socket's close (a connect: 995, R6b; a send:
  // 1236, R6), or an event that tears the connection down (its status).
  enum class HeldEnd : std::uint8_t { cancel, close, event };
  // Under mu: the socket's held ops (only `only`, if not null) end, their packets posted.
  // Returns how many ended.
  std::size_t end_held_locked(SOCKET s, const OVERLAPPED* only, HeldEnd why, NTSTATUS event_status = STATUS_SUCCESS);
  void untrack(const OVERLAPPED* ov);
  // Under mu: removes a tracked op, keeping its node for the next one.
  OpInfo forget_op_locked(OpMap::iterator it);
  // Looks at a dequeued packet: applies a forced result, counts bytes, wakes an awaiting
  // issuer.
  void classify(Completion& c);
  bool port_rules_armed() const { return (busy.load(std::memory_order_acquire) & kPortRules) != 0; }
  bool journaling() const { return (busy.load(std::memory_order_relaxed) & kJournaling) != 0; }
  // No rule watches the port and nothing is held: a wait is the backend's own call. (Relaxed:
  // a rule armed or a packet held while a wait is on its way acts from the next wait, as with
  // any call racing arm().)
  bool port_untouched() const { return (busy.load(std::memory_order_relaxed) & kWatchesWait) == 0; }
  // A dequeued packet may be an op the shim tracks. Checked after the dequeue, never before:
  // an op is tracked (under mu, the count raised) before it is issued, so before its packet
  // exists, and the backend's port orders queueing a packet before dequeuing it; the dequeuing
  // thread therefore sees that op's unit in the count (coherence: a write that happens-before
  // a read is seen by it or overwritten by a later one, and the op's own decrement comes only
  // from dequeuing this very packet — or from closing its port, after which it cannot be
  // dequeued). A count of zero after the dequeue thus proves the packet is not the shim's.
  // Acquire pairs with the release of the add for whatever classify reads next (it locks mu
  // anyway).
  bool may_be_tracked(const OVERLAPPED* ov) const {
    return ov != nullptr && (busy.load(std::memory_order_acquire) & kTrackedMask) != 0;
  }
  // The caller of a wait now holds this op's packet: its waiting issuer may return.
  void mark_delivered(const OVERLAPPED* ov);
  bool take_held(HANDLE port, Completion* out);
  void hold(HANDLE port, const Completion& c);
  // Forgets what belonged to a closed port.
  void forget_port(HANDLE port);

  // Posts the packet of a synthetic op (or, with no port, writes the result into the
  // OVERLAPPED as the backend would and forgets the op).
  void post_synthetic(SOCKET s, OVERLAPPED* ov, const Forced& forced);
  void post_synthetic_locked(SOCKET s, OVERLAPPED* ov, const Forced& forced);
  // The connection was reset or aborted: every real op still pending on it ends with
  // `forced`, the real socket stops moving data, and closing it later sends RST.
  void kill_connection(SOCKET s, const Forced& forced, const OwnPacket& own = {});
  // The peer half-closed: pending receives end with 0 bytes and the real read side shuts.
  void half_close_read(SOCKET s, const Forced& forced, const OwnPacket& own = {});
};

}  // namespace iocpsim::iocp::shim_detail
