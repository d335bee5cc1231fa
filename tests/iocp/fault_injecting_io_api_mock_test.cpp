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

class FaultShimMockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXPECT_CALL(io_, CreateIoCompletionPort(reinterpret_cast<HANDLE>(kSocket), kPort, kKey, 0))
        .WillOnce(Return(kPort));
    ASSERT_EQ(shim_.CreateIoCompletionPort(reinterpret_cast<HANDLE>(kSocket), kPort, kKey, 0), kPort);
  }

  int recv(OVERLAPPED* ov) {
    WSABUF b{sizeof buf_, buf_};
    DWORD flags = 0;
    DWORD bytes = 0;
    return shim_.WSARecv(kSocket, &b, 1, &bytes, &flags, ov, nullptr);
  }

  NiceMock<MockIoApi> io_;
  FaultInjectingIoApi shim_{io_, FaultOptions{1, nullptr, false, 16}};
  char buf_[8]{};
};

TEST_F(FaultShimMockTest, R5_ForcedResetShutsTheRealSocketThenPostsOnePacketAndNeverIssuesTheRecv) {
  shim_.arm({fault(Outcome::peer_reset)});
  OVERLAPPED ov{};
  EXPECT_CALL(io_, WSARecv).Times(0);
  {
    InSequence order;
    EXPECT_CALL(io_, setsockopt(kSocket, SOL_SOCKET, SO_LINGER, _, sizeof(linger))).WillOnce(Return(0));
    EXPECT_CALL(io_, shutdown(kSocket, SD_BOTH)).WillOnce(Return(0));
    EXPECT_CALL(io_, PostQueuedCompletionStatus(kPort, 0, kKey, &ov)).WillOnce(Return(TRUE));
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

}  // namespace
}  // namespace iocpsim::iocp::testing
