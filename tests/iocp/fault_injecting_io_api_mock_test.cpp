// The shim's exact calls into its backend, checked with MockIoApi where the order is the point:
// a forced reset never issues the real receive and tears the connection down before the packet
// is posted; a forced cancel cancels exactly the op it was given.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "iocpsim/iocp/fault_injecting_io_api.hpp"
#include "iocpsim/iocp/testing/mock_io_api.hpp"

namespace iocpsim::iocp::testing {
namespace {

using ::testing::_;
using ::testing::InSequence;
using ::testing::NiceMock;
using ::testing::Return;

const HANDLE kPort = reinterpret_cast<HANDLE>(std::uintptr_t{0x140000004});
constexpr SOCKET kSocket = 8;
constexpr ULONG_PTR kKey = 0x77;

// A backend that can end a pending op with a chosen result, as the emulation can.
class MockEndingIoApi : public MockIoApi, public EndsPendingOps {
 public:
  MOCK_METHOD(BOOL, EndPendingOp, (HANDLE, LPOVERLAPPED, NTSTATUS, DWORD), (override));
};

template <class Mock>
class ShimOverMock : public ::testing::Test {
 protected:
  void SetUp() override {
    EXPECT_CALL(io_, CreateIoCompletionPort(reinterpret_cast<HANDLE>(kSocket), kPort, kKey, 0)).WillOnce(Return(kPort));
    ASSERT_EQ(shim_.CreateIoCompletionPort(reinterpret_cast<HANDLE>(kSocket), kPort, kKey, 0), kPort);
  }

  int recv(OVERLAPPED* ov) {
    WSABUF b{sizeof buf_, buf_};
    DWORD flags = 0;
    DWORD bytes = 0;
    return shim_.WSARecv(kSocket, &b, 1, &bytes, &flags, ov, nullptr);
  }

  // A receive left pending in the backend, whose last error is modelled (one value, as on
  // Windows) from now on.
  void pend_recv(OVERLAPPED* ov) {
    ON_CALL(io_, GetLastError()).WillByDefault([this] { return last_error_; });
    ON_CALL(io_, SetLastError(_)).WillByDefault([this](DWORD e) { last_error_ = e; });
    ON_CALL(io_, WSAGetLastError()).WillByDefault(Return(WSA_IO_PENDING));
    EXPECT_CALL(io_, WSARecv(kSocket, _, 1, _, _, ov, nullptr)).WillOnce(Return(SOCKET_ERROR));
    ASSERT_EQ(recv(ov), SOCKET_ERROR);
  }

  struct Waited {
    BOOL ok = 99;
    DWORD bytes = 99;
    OVERLAPPED* ov = nullptr;
  };
  Waited wait() {
    Waited w;
    ULONG_PTR key = 0;
    w.ok = shim_.GetQueuedCompletionStatus(kPort, &w.bytes, &key, &w.ov, 0);
    EXPECT_EQ(key, kKey);
    return w;
  }

  // The backend's GetQueuedCompletionStatus hands over the packet of `ov`, which reports
  // `status` (a failure sets the last error, as Windows does).
  void next_packet(OVERLAPPED* ov, NTSTATUS status) {
    EXPECT_CALL(io_, GetQueuedCompletionStatus(kPort, _, _, _, 0))
        .WillOnce([this, ov, status](HANDLE, LPDWORD bytes, PULONG_PTR key, LPOVERLAPPED* out, DWORD) {
          *bytes = 0;
          *key = kKey;
          *out = ov;
          ov->Internal = static_cast<ULONG_PTR>(static_cast<DWORD>(status));
          if (status < 0) last_error_ = ERROR_OPERATION_ABORTED;
          return status < 0 ? FALSE : TRUE;
        });
  }

  NiceMock<Mock> io_;
  FaultInjectingIoApi shim_{io_, FaultOptions{1, nullptr, false, 16}};
  char buf_[8]{};
  DWORD last_error_ = 0;
};

using FaultShimMockTest = ShimOverMock<MockIoApi>;
using FaultShimOverAnEndingBackendTest = ShimOverMock<MockEndingIoApi>;

// The packet goes first, so that it precedes those of the other ops the reset ends; the shim's
// lock, held until the socket is shut, keeps a worker from acting on it before.
TEST_F(FaultShimMockTest, R5_ForcedResetPostsOnePacketThenShutsTheRealSocketAndNeverIssuesTheRecv) {
  shim_.arm({fault(Outcome::peer_reset)});
  OVERLAPPED ov{};
  EXPECT_CALL(io_, WSARecv).Times(0);
  {
    InSequence order;
    EXPECT_CALL(io_, PostQueuedCompletionStatus(kPort, 0, kKey, &ov)).WillOnce(Return(TRUE));
    EXPECT_CALL(io_, setsockopt(kSocket, SOL_SOCKET, SO_LINGER, _, sizeof(linger))).WillOnce(Return(0));
    EXPECT_CALL(io_, shutdown(kSocket, SD_BOTH)).WillOnce(Return(0));
    EXPECT_CALL(io_, WSASetLastError(WSA_IO_PENDING));
  }
  EXPECT_EQ(recv(&ov), SOCKET_ERROR);
  EXPECT_EQ(shim_.outstanding().tracked_ops, 1u);  // until its packet is dequeued
  EXPECT_EQ(ntstatus_of(ov.Internal), STATUS_PENDING);
}

TEST_F(FaultShimMockTest, R7_ForcedCancelIssuesTheRealRecvThenCancelsExactlyThatOp) {
  shim_.arm({fault(Outcome::cancelled)});
  OVERLAPPED ov{};
  ON_CALL(io_, WSAGetLastError()).WillByDefault(Return(WSA_IO_PENDING));
  {
    InSequence order;
    EXPECT_CALL(io_, WSARecv(kSocket, _, 1, _, _, &ov, nullptr)).WillOnce(Return(SOCKET_ERROR));
    EXPECT_CALL(io_, CancelIoEx(reinterpret_cast<HANDLE>(kSocket), &ov)).WillOnce(Return(TRUE));
  }
  EXPECT_EQ(recv(&ov), SOCKET_ERROR);
}

TEST_F(FaultShimMockTest, R10_ForcedImmediateErrorCallsNothingButTheLastError) {
  shim_.arm({fault(Outcome::immediate_error).error(WSAENOBUFS)});
  OVERLAPPED ov{};
  EXPECT_CALL(io_, WSARecv).Times(0);
  EXPECT_CALL(io_, PostQueuedCompletionStatus).Times(0);
  EXPECT_CALL(io_, WSASetLastError(WSAENOBUFS));
  EXPECT_EQ(recv(&ov), SOCKET_ERROR);
  EXPECT_EQ(shim_.outstanding(), ShimOutstanding{});
}

// R4 over a backend that cannot end an op with a chosen result (the native calls): the pending
// receive is cancelled, and its 995 becomes the end of stream at the dequeue, with the last error
// the caller had before its wait, even with the journal off.
TEST_F(FaultShimMockTest, R4_ForcedFinCancelsThePendingRecvAndTheWaitKeepsTheCallersLastError) {
  OVERLAPPED ov{};
  pend_recv(&ov);
  {
    InSequence order;
    EXPECT_CALL(io_, CancelIoEx(reinterpret_cast<HANDLE>(kSocket), &ov)).WillOnce(Return(TRUE));
    EXPECT_CALL(io_, shutdown(kSocket, SD_RECEIVE)).WillOnce(Return(0));
  }
  shim_.force_now(kSocket, Outcome::peer_fin);
  next_packet(&ov, STATUS_CANCELLED);
  constexpr DWORD kCallers = 0x5eed;
  last_error_ = kCallers;
  const Waited w = wait();
  EXPECT_EQ(w.ok, TRUE);
  EXPECT_EQ(w.ov, &ov);
  EXPECT_EQ(w.bytes, 0u);
  EXPECT_EQ(last_error_, kCallers);
  EXPECT_EQ(ntstatus_of(ov.Internal), STATUS_SUCCESS);
  EXPECT_EQ(shim_.outstanding(), ShimOutstanding{});
}

// R4 over a backend that can (the emulation): the pending receive is ended as an end of stream
// in the backend, nothing is cancelled, and the wait neither reads nor writes the last error.
TEST_F(FaultShimOverAnEndingBackendTest, R4_ForcedFinEndsThePendingRecvAndTheWaitLeavesTheLastError) {
  OVERLAPPED ov{};
  pend_recv(&ov);
  EXPECT_CALL(io_, CancelIoEx).Times(0);
  {
    InSequence order;
    EXPECT_CALL(io_, EndPendingOp(reinterpret_cast<HANDLE>(kSocket), &ov, STATUS_SUCCESS, 0)).WillOnce(Return(TRUE));
    EXPECT_CALL(io_, shutdown(kSocket, SD_RECEIVE)).WillOnce(Return(0));
  }
  shim_.force_now(kSocket, Outcome::peer_fin);
  next_packet(&ov, STATUS_SUCCESS);
  EXPECT_CALL(io_, GetLastError()).Times(0);
  EXPECT_CALL(io_, SetLastError(_)).Times(0);
  const Waited w = wait();
  EXPECT_EQ(w.ok, TRUE);
  EXPECT_EQ(w.ov, &ov);
  EXPECT_EQ(w.bytes, 0u);
  EXPECT_EQ(shim_.outstanding(), ShimOutstanding{});
}

}  // namespace
}  // namespace iocpsim::iocp::testing
