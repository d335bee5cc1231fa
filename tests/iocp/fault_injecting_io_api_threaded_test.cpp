// The shim's outcomes that involve more than one thread: a completion dequeued by another
// worker before the issuing call returns (R15), and ops issued while workers wait.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "fault_shim_fixture.hpp"
#include "iocpsim/iocp/fault_injecting_io_api.hpp"

namespace iocpsim::iocp::testing {
namespace {

using FaultInjectingIoApiThreadedTest = FaultShimTest;

// What a worker's GetQueuedCompletionStatus wrote. The issuer reads it right after its call
// returns: the shim lets that call return only once the worker's dequeue has written these.
struct WorkerDequeue {
  BOOL ok = 99;
  DWORD bytes = 0xFEEDu;
  ULONG_PTR key = 0xFEED;
  OVERLAPPED* ov = nullptr;
};

TEST_F(FaultInjectingIoApiThreadedTest,
       R15_DeliverBeforeReturnForcedLetsAnotherWorkerDequeueTheSendBeforeTheCallReturns) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::deliver_before_return).on(Call::WSASend).wait_ms(kCeilingMs)});
  WorkerDequeue w;
  std::thread worker([&] { w.ok = shim().GetQueuedCompletionStatus(port(), &w.bytes, &w.key, &w.ov, kCeilingMs); });
  OVERLAPPED ov{};
  const Issued r = send(c.engine, &ov, "abc", 3);
  // The issuing call has just returned, and the worker already holds its completion.
  EXPECT_EQ(w.ov, &ov);
  EXPECT_EQ(w.bytes, 3u);
  EXPECT_EQ(w.key, c.key);
  worker.join();
  EXPECT_EQ(r.rc, 0);  // done at once (R9); its packet taken by the worker meanwhile
  EXPECT_EQ(w.ok, TRUE);
  EXPECT_EQ(shim().fired(0), 1u);
  EXPECT_EQ(peer_recv(c, 3), "abc");
}

TEST_F(FaultInjectingIoApiThreadedTest,
       R15_DeliverBeforeReturnForcedOnAPendingRecvReturnsOnlyAfterItsCompletionWasTaken) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::deliver_before_return).on(Call::WSARecv).wait_ms(kCeilingMs)});
  WorkerDequeue w;
  std::thread worker([&] { w.ok = shim().GetQueuedCompletionStatus(port(), &w.bytes, &w.key, &w.ov, kCeilingMs); });
  std::thread peer([&] { peer_send(c, "late"); });
  OVERLAPPED ov{};
  char buf[8];
  const Issued r = recv(c.engine, &ov, buf, sizeof buf);
  EXPECT_EQ(w.ov, &ov);
  EXPECT_EQ(w.bytes, 4u);
  peer.join();
  worker.join();
  EXPECT_TRUE(r.error == WSA_IO_PENDING || r.rc == 0);
  EXPECT_EQ(w.ok, TRUE);
}

TEST_F(FaultInjectingIoApiThreadedTest, ForcedResetSeenByAWaitingWorkerLeavesTheSocketDeadForTheIssuer) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::peer_reset).on(Call::WSARecv)});
  Dequeued seen;
  int later_error = 0;
  std::thread worker([&] {
    seen = dequeue();
    // The worker reacts at once, possibly before WSARecv returned: the world is already reset.
    OVERLAPPED again{};
    char buf[4];
    later_error = recv(c.engine, &again, buf, sizeof buf).error;
  });
  OVERLAPPED ov{};
  char buf[4];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).error, WSA_IO_PENDING);
  worker.join();
  EXPECT_EQ(seen.ov, &ov);
  EXPECT_EQ(seen.error, ERROR_NETNAME_DELETED);
  EXPECT_EQ(later_error, WSAECONNRESET);
}

// ---- observation: waits that end when what they wait for has happened ----

constexpr std::chrono::milliseconds kNow{0};  // a wait that only reads the state

TEST_F(FaultInjectingIoApiThreadedTest, WaitBatchWaitersEndsOnceTheWorkerIsInsideItsWait) {
  EXPECT_FALSE(shim().wait_batch_waiters(1, kNow));
  BOOL ok = FALSE;
  OVERLAPPED_ENTRY entries[2]{};
  ULONG removed = 0;
  std::thread worker([&] { ok = shim().GetQueuedCompletionStatusEx(port(), entries, 2, &removed, kCeilingMs, FALSE); });
  ASSERT_TRUE(shim().wait_batch_waiters(1));
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 0, 7, nullptr));  // lets it out
  worker.join();
  EXPECT_EQ(ok, TRUE);
  EXPECT_EQ(entries[0].lpCompletionKey, 7u);
  EXPECT_FALSE(shim().wait_batch_waiters(1, kNow));
}

TEST_F(FaultInjectingIoApiThreadedTest, WaitPostedDequeuedEndsOnceAWorkerTookEveryPostedPacket) {
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 0, 1, nullptr));
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 0, 2, nullptr));
  EXPECT_FALSE(shim().wait_posted_dequeued(kNow));
  std::thread worker([&] {
    dequeue();
    dequeue();
  });
  EXPECT_TRUE(shim().wait_posted_dequeued());
  worker.join();
}

TEST_F(FaultInjectingIoApiThreadedTest, WaitDequeuedEndsOnceTheSendsPacketWasTaken) {
  const Connection c = connect_pair();
  OVERLAPPED ov{};
  EXPECT_EQ(send(c.engine, &ov, "abc", 3).rc, 0);  // done at once; its packet queued (R9)
  EXPECT_FALSE(shim().wait_dequeued(Call::WSASend, kNow));
  EXPECT_TRUE(shim().wait_dequeued(Call::WSARecv, kNow));  // none issued
  Dequeued d;
  std::thread worker([&] { d = dequeue(); });
  EXPECT_TRUE(shim().wait_dequeued(Call::WSASend));
  worker.join();
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(peer_recv(c, 3), "abc");
}

TEST_F(FaultInjectingIoApiThreadedTest, R9b_WaitDequeuedDoesNotWaitForAPacketASkippingSocketNeverQueues) {
  const Connection c = connect_pair();
  ASSERT_TRUE(shim().SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(c.engine),
                                                        FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  OVERLAPPED ov{};
  EXPECT_EQ(send(c.engine, &ov, "abc", 3).rc, 0);
  EXPECT_TRUE(shim().wait_dequeued(Call::WSASend, kNow));
  EXPECT_EQ(peer_recv(c, 3), "abc");
}

TEST_F(FaultInjectingIoApiThreadedTest, WaitCallsEndsOnceAnotherThreadsCallHasReturned) {
  const Connection c = connect_pair();
  const std::uint64_t before = shim().count(Call::WSARecv);
  OVERLAPPED ov{};
  char buf[4];
  std::thread issuer([&] { recv(c.engine, &ov, buf, sizeof buf); });
  EXPECT_TRUE(shim().wait_calls(Call::WSARecv, before + 1));
  issuer.join();
  EXPECT_EQ(emu_.outstanding().pending_ops, 1u);  // the receive is issued: it pends
  peer_send(c, "x");
  EXPECT_EQ(dequeue().ov, &ov);
}

}  // namespace
}  // namespace iocpsim::iocp::testing
