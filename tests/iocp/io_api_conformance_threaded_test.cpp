// The rows of the IOCP conformance suite that need several threads (R3, R15). Same fixture and
// backends as io_api_conformance_test.cpp; labelled "threaded" so CI also runs them under
// ThreadSanitizer.
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "io_api_conformance_fixture.hpp"

namespace iocpsim::iocp::testing {
namespace {

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
    std::thread waiter([&] {
      entering.store(true);
      error = wait(port);
    });
    while (!entering.load()) std::this_thread::yield();
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
  std::thread worker([&] {
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
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
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

}  // namespace
}  // namespace iocpsim::iocp::testing
