// The shim's outcomes that involve more than one thread: a completion dequeued by another
// worker before the issuing call returns (R15), and ops issued while workers wait.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fault_shim_fixture.hpp"
#include "iocpsim/iocp/fault_injecting_io_api.hpp"

namespace iocpsim::iocp::testing {
namespace {

using FaultInjectingIoApiThreadedTest = FaultShimTest;

TEST_F(FaultInjectingIoApiThreadedTest,
       R15_DeliverBeforeReturnForcedLetsAnotherWorkerDequeueTheSendBeforeTheCallReturns) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::deliver_before_return).on(Call::WSASend).wait_ms(kCeilingMs)});
  std::atomic<bool> issuing_call_returned{false};
  bool returned_when_dequeued = true;
  Dequeued seen;
  std::thread worker([&] {
    seen = dequeue();
    returned_when_dequeued = issuing_call_returned.load();
  });
  OVERLAPPED ov{};
  const Issued r = send(c.engine, &ov, "abc", 3);
  issuing_call_returned = true;
  worker.join();
  EXPECT_EQ(r.rc, 0);  // done at once (R9), and its packet already taken by the worker
  EXPECT_EQ(seen.ok, TRUE);
  EXPECT_EQ(seen.ov, &ov);
  EXPECT_EQ(seen.bytes, 3u);
  EXPECT_FALSE(returned_when_dequeued);
  EXPECT_EQ(shim().fired(0), 1u);
  EXPECT_EQ(peer_recv(c, 3), "abc");
}

TEST_F(FaultInjectingIoApiThreadedTest,
       R15_DeliverBeforeReturnForcedOnAPendingRecvReturnsOnlyAfterItsCompletionWasTaken) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::deliver_before_return).on(Call::WSARecv).wait_ms(kCeilingMs)});
  std::atomic<bool> issuing_call_returned{false};
  bool returned_when_dequeued = true;
  Dequeued seen;
  std::thread worker([&] {
    seen = dequeue();
    returned_when_dequeued = issuing_call_returned.load();
  });
  std::thread peer([&] { peer_send(c, "late"); });
  OVERLAPPED ov{};
  char buf[8];
  const Issued r = recv(c.engine, &ov, buf, sizeof buf);
  issuing_call_returned = true;
  peer.join();
  worker.join();
  EXPECT_EQ(r.error == WSA_IO_PENDING || r.rc == 0, true);
  EXPECT_EQ(seen.ov, &ov);
  EXPECT_EQ(seen.bytes, 4u);
  EXPECT_FALSE(returned_when_dequeued);
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
