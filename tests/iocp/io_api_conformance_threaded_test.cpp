// The rows of the IOCP conformance suite that need several threads (R3, R15). Same fixture and
// backends as io_api_conformance_test.cpp; labelled "threaded" so CI also runs them under
// ThreadSanitizer. Threads and locks are the world's (iocpsim/world/sync.hpp): OS threads on the
// real backends, scheduled threads of the test's simulated world on the simulated one.
#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "iocpsim/world/sync.hpp"

#include "io_api_conformance_fixture.hpp"

namespace iocpsim::iocp::testing {
namespace {

using world::Thread;

// A busy wait's turn: lets the other threads run. In a simulated world time moves only while
// every thread waits, so there the spinning thread waits a moment of virtual time.
void pause_spin() {
  if (world::current_scheduler() != nullptr) {
    world::sleep_for(std::chrono::microseconds(10));
  } else {
    std::this_thread::yield();
  }
}

constexpr const char* kWineCloseDoesNotWake =
    "CloseHandle(port) does not wake a thread blocked in GQCS/GQCSEx with INFINITE: it hangs";

// Closes a fresh port while a thread waits on it, until the close lands while the thread is
// inside the wait (no API tells when it is; a close that came first answers 6 and is retried).
// Returns the error the waiter saw on the attempt that counted.
template <class Wait>
DWORD close_port_under_waiter(IoApi& io, Wait wait) {
  constexpr int kAttempts = 200;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const HANDLE port = io.CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
    std::atomic<bool> entering{false};
    DWORD error = 0;
    Thread waiter("waiter", [&] {
      entering.store(true);
      error = wait(port);
    });
    while (!entering.load()) pause_spin();
    EXPECT_TRUE(io.CloseHandle(port));
    waiter.join();
    if (error != ERROR_INVALID_HANDLE) return error;
  }
  ADD_FAILURE() << "the close never landed while the waiter waited";
  return 0;
}

TYPED_TEST(IocpConformance, R3_ClosingThePortWakesAWaiterWithFalseNullAnd735) {
  IOCPSIM_SKIP_UNDER_WINE(kWineCloseDoesNotWake);
  const DWORD error = close_port_under_waiter(this->io(), [this](HANDLE port) {
    const Dequeued d = this->dequeue_from(port, INFINITE);
    EXPECT_EQ(d.ok, FALSE);
    EXPECT_EQ(d.ov, nullptr);
    return d.error;
  });
  EXPECT_EQ(error, ERROR_ABANDONED_WAIT_0);
}

TYPED_TEST(IocpConformance, R3_ClosingThePortWakesAnExWaiterWithFalseAnd735) {
  IOCPSIM_SKIP_UNDER_WINE(kWineCloseDoesNotWake);
  const DWORD error = close_port_under_waiter(this->io(), [this](HANDLE port) {
    OVERLAPPED_ENTRY e[4] = {};
    ULONG removed = 0;
    this->io().SetLastError(kDeadbeef);
    EXPECT_EQ(this->io().GetQueuedCompletionStatusEx(port, e, 4, &removed, INFINITE, FALSE), FALSE);
    return this->io().GetLastError();
  });
  EXPECT_EQ(error, ERROR_ABANDONED_WAIT_0);
}

// One receive's OVERLAPPED and buffer, on the heap so that the worker can free it the moment
// it dequeues the packet: a backend that touched it after queuing would be caught by ASan
// (use after free) or TSan (race with the worker).
struct HeapReceive {
  OVERLAPPED ov{};
  char byte = 0;
};

TYPED_TEST(IocpConformance, R15_ACompletionMayBeDequeuedBeforeTheIssuingCallReturns) {
  constexpr int kReceives = 200;
  const Pair p = this->connected_pair();
  std::string data(kReceives, '\0');
  for (int i = 0; i < kReceives; ++i) data[static_cast<std::size_t>(i)] = static_cast<char>(i);
  this->peer_send(p.peer, data);
  std::string seen;
  Thread worker("worker", [&] {
    while (seen.size() < static_cast<std::size_t>(kReceives)) {
      const Dequeued d = this->dequeue(kGenerousMs);
      if (d.ov == nullptr) break;
      auto* op = reinterpret_cast<HeapReceive*>(d.ov);
      if (d.ok && d.bytes == 1) seen.push_back(op->byte);
      delete op;
    }
  });
  for (int i = 0; i < kReceives; ++i) {
    auto* op = new HeapReceive;
    const int rc = this->start_recv(p.engine, &op->ov, &op->byte, 1);
    // From here `op` may already be freed by the worker.
    EXPECT_TRUE(rc == 0 || this->io().WSAGetLastError() == WSA_IO_PENDING);
  }
  worker.join();
  EXPECT_EQ(seen, data) << "one worker: packets come back in issue order";
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R15_SeveralWaitersShareThePacketsWithoutLossOrDuplication) {
  constexpr int kWorkers = 4;
  constexpr ULONG_PTR kPackets = 4000;
  std::vector<std::vector<ULONG_PTR>> taken(kWorkers);
  std::vector<Thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back("worker", [&, w] {
      for (;;) {
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        OVERLAPPED* ov = nullptr;
        if (!this->io().GetQueuedCompletionStatus(this->port(), &bytes, &key, &ov, kGenerousMs)) return;
        if (key == 0) return;  // sentinel: one per worker
        taken[static_cast<std::size_t>(w)].push_back(key);
      }
    });
  }
  for (ULONG_PTR k = 1; k <= kPackets; ++k) {
    EXPECT_EQ(this->io().PostQueuedCompletionStatus(this->port(), 0, k, nullptr), TRUE);
  }
  for (int w = 0; w < kWorkers; ++w) this->io().PostQueuedCompletionStatus(this->port(), 0, 0, nullptr);
  for (auto& t : workers) t.join();
  std::set<ULONG_PTR> all;
  std::size_t total = 0;
  for (const auto& keys : taken) {
    total += keys.size();
    all.insert(keys.begin(), keys.end());
  }
  EXPECT_EQ(total, kPackets);
  EXPECT_EQ(all.size(), kPackets);
}

// ---------------------------------------------------------------- many connections at once

// One engine-side connection of the stress test. Its completion key is its index, never the
// socket; its mutex serialises the workers' handling with the chaos thread's cancels and closes.
struct StressConnection {
  world::Mutex mutex;
  Pair pair;
  OVERLAPPED ov{};
  char buf[4096] = {};
  bool closed = false;          // we closed the engine side
  bool op_outstanding = false;  // a packet is owed to us
  bool finished = false;        // closed and nothing owed
  int packets_owed_total = 0;
  int packets_got = 0;
};

// Workers keep one receive outstanding per connection; peers write and then close gracefully
// or abortively; a chaos thread cancels or closes connections among their completions. Every
// operation that queued a packet must get exactly one.
class StressRun {
 public:
  static constexpr int kConnections = 12;
  static constexpr int kWorkers = 3;
  static constexpr std::uint32_t kSeed = 20261125;

  StressRun(IoApi& io, HANDLE port) : io_(io), port_(port) {}

  std::vector<std::unique_ptr<StressConnection>>& connections() { return conns_; }

  void run() {
    for (auto& c : conns_) {
      std::lock_guard lock(c->mutex);
      post_receive(*c);
    }
    std::vector<Thread> threads;
    for (int w = 0; w < kWorkers; ++w) threads.emplace_back("worker", [this] { work(); });
    Thread peers_a("peers a", [this] { drive_peers(0); });
    Thread peers_b("peers b", [this] { drive_peers(1); });
    Thread chaos("chaos", [this] { make_chaos(); });
    chaos.join();
    peers_a.join();
    peers_b.join();
    for (auto& c : conns_) {  // the peers are done: close what the chaos left open
      std::lock_guard lock(c->mutex);
      close_engine(*c);
      settle(*c);
    }
    for (auto& t : threads) t.join();
  }

 private:
  static constexpr ULONG_PTR kSentinel = ~ULONG_PTR{0};

  // With c.mutex held, after anything that may have ended the connection's last op.
  void settle(StressConnection& c) {
    if (!c.closed || c.op_outstanding || c.finished) return;
    c.finished = true;
    if (finished_.fetch_add(1) + 1 == kConnections) {
      for (int w = 0; w < kWorkers; ++w) io_.PostQueuedCompletionStatus(port_, 0, kSentinel, nullptr);
    }
  }

  void close_engine(StressConnection& c) {
    if (c.closed) return;
    EXPECT_EQ(io_.closesocket(c.pair.engine), 0);
    c.closed = true;
  }

  void post_receive(StressConnection& c) {
    WSABUF b{sizeof c.buf, c.buf};
    DWORD flags = 0;
    DWORD bytes = 0;
    const int rc = io_.WSARecv(c.pair.engine, &b, 1, &bytes, &flags, &c.ov, nullptr);
    if (rc == 0 || io_.WSAGetLastError() == WSA_IO_PENDING) {  // R9 or pending: one packet
      c.op_outstanding = true;
      ++c.packets_owed_total;
    } else {  // R10: no packet
      close_engine(c);
    }
  }

  void work() {
    for (;;) {
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      OVERLAPPED* ov = nullptr;
      const BOOL ok = io_.GetQueuedCompletionStatus(port_, &bytes, &key, &ov, kGenerousMs);
      if (ov == nullptr) {
        EXPECT_EQ(key, kSentinel) << "FALSE + NULL: timed out waiting, error " << io_.GetLastError();
        return;
      }
      StressConnection& c = *conns_.at(key);
      std::lock_guard lock(c.mutex);
      EXPECT_EQ(ov, &c.ov);
      EXPECT_TRUE(c.op_outstanding) << "a packet nobody was owed";
      c.op_outstanding = false;
      ++c.packets_got;
      if (ok && bytes > 0 && !c.closed) {
        post_receive(c);
      } else {
        close_engine(c);  // end of stream, reset, abort or cancel: done with it
      }
      settle(c);
    }
  }

  void drive_peers(int half) {
    std::mt19937 rng(kSeed + static_cast<std::uint32_t>(half));
    const std::string chunk(2048, 'p');
    for (int i = half; i < kConnections; i += 2) {
      const SOCKET peer = conns_[static_cast<std::size_t>(i)]->pair.peer;
      const int sends = 4 + static_cast<int>(rng() % 40);
      for (int n = 0; n < sends; ++n) {
        if (io_.send(peer, chunk.data(), 1 + static_cast<int>(rng() % chunk.size()), 0) < 0) break;
      }
      if (rng() % 2 == 0) {
        io_.shutdown(peer, SD_SEND);  // FIN first; the final close may still reset
      } else {
        linger l{};
        l.l_onoff = 1;
        io_.setsockopt(peer, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l), sizeof l);
      }
    }
  }

  // Acts on half the connections, each once data has flowed on it (packets_got >= 2), so
  // cancels and closes land among completions rather than before the first one.
  void make_chaos() {
    std::mt19937 rng(kSeed + 7);
    int actions = 0;
    for (long attempt = 0; actions < kConnections / 2 && attempt < 1'000'000; ++attempt) {
      StressConnection& c = *conns_[rng() % kConnections];
      std::unique_lock lock(c.mutex);
      if (c.closed || c.packets_got < 2) {
        lock.unlock();
        pause_spin();
        continue;
      }
      ++actions;
      if (rng() % 2 == 0) {
        close_engine(c);  // R6: the outstanding op completes with an abort
      } else if (c.op_outstanding) {
        io_.CancelIoEx(reinterpret_cast<HANDLE>(c.pair.engine), &c.ov);  // R7, or raced: 1168
      }
      settle(c);
    }
  }

  IoApi& io_;
  HANDLE port_;
  std::vector<std::unique_ptr<StressConnection>> conns_;
  std::atomic<int> finished_{0};
};

TYPED_TEST(IocpConformance, R15_ManyConnectionsAndWorkersGetExactlyOnePacketPerOperation) {
  SCOPED_TRACE(::testing::Message() << "seed " << StressRun::kSeed);
  StressRun run(this->io(), this->port());
  for (int i = 0; i < StressRun::kConnections; ++i) {
    run.connections().push_back(std::make_unique<StressConnection>());
    run.connections().back()->pair = this->connected_pair(0, static_cast<ULONG_PTR>(i));
  }
  run.run();
  int total_packets = 0;
  for (auto& c : run.connections()) {
    total_packets += c->packets_got;
    EXPECT_EQ(c->packets_got, c->packets_owed_total) << "exactly one packet per operation";
    EXPECT_FALSE(c->op_outstanding);
    this->close(c->pair.peer);
  }
  EXPECT_GT(total_packets, StressRun::kConnections) << "the peers' data went through";
}

}  // namespace
}  // namespace iocpsim::iocp::testing
