// The shim's outcomes that involve more than one thread: a completion dequeued by another
// worker before the issuing call returns (R15), and ops issued while workers wait.
#include <gtest/gtest.h>

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
  std::thread worker(
      [&] { w.ok = shim().GetQueuedCompletionStatus(port(), &w.bytes, &w.key, &w.ov, kCeilingMs); });
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
  std::thread worker(
      [&] { w.ok = shim().GetQueuedCompletionStatus(port(), &w.bytes, &w.key, &w.ov, kCeilingMs); });
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

}  // namespace
}  // namespace iocpsim::iocp::testing
