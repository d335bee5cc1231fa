// The completion ledger over a scripted backend: each rule of what a call owes the caller in
// completion packets (IOCP-SEMANTICS.md), and each way an engine could get them wrong.
#include "iocpsim/iocp/completion_ledger.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "iocpsim/iocp/testing/mock_io_api.hpp"

namespace iocpsim::iocp {
namespace {

using ::testing::_;
using ::testing::DoAll;
using ::testing::NiceMock;
using ::testing::Return;
using ::testing::SetArgPointee;

const HANDLE kPort = reinterpret_cast<HANDLE>(0x10);
constexpr SOCKET kSocket = 0x100;

class CompletionLedgerTest : public ::testing::Test {
 protected:
  CompletionLedgerTest() {
    ON_CALL(inner, CreateIoCompletionPort(_, _, _, _)).WillByDefault(Return(kPort));
    ON_CALL(inner, GetLastError()).WillByDefault([this] { return last_error; });
    ON_CALL(inner, WSAGetLastError()).WillByDefault([this] { return static_cast<int>(last_error); });
    ON_CALL(inner, SetLastError(_)).WillByDefault([this](DWORD e) { last_error = e; });
    ON_CALL(inner, SetFileCompletionNotificationModes(_, _)).WillByDefault(Return(TRUE));
    ledger.CreateIoCompletionPort(reinterpret_cast<HANDLE>(kSocket), kPort, 1, 0);
  }

  // WSARecv on kSocket that pends (997), succeeds at once (0) or fails at once (an error).
  int recv_that(int wsa_result) {
    EXPECT_CALL(inner, WSARecv(kSocket, _, _, _, _, &op, _)).WillOnce([this, wsa_result](auto...) {
      last_error = static_cast<DWORD>(wsa_result == 0 ? last_error : wsa_result);
      return wsa_result == 0 ? 0 : SOCKET_ERROR;
    });
    WSABUF buf{1, byte};
    DWORD got = 0;
    DWORD flags = 0;
    return ledger.WSARecv(kSocket, &buf, 1, &got, &flags, &op, nullptr);
  }
  // `s`'s next WSASend or WSARecv on `o` pends.
  void pends(SOCKET s, OVERLAPPED* o, bool send) {
    const auto pending = [this](auto...) {
      last_error = WSA_IO_PENDING;
      return SOCKET_ERROR;
    };
    WSABUF buf{1, byte};
    DWORD moved = 0;
    DWORD flags = 0;
    if (send) {
      EXPECT_CALL(inner, WSASend(s, _, _, _, _, o, _)).WillOnce(pending);
      ledger.WSASend(s, &buf, 1, &moved, 0, o, nullptr);
    } else {
      EXPECT_CALL(inner, WSARecv(s, _, _, _, _, o, _)).WillOnce(pending);
      ledger.WSARecv(s, &buf, 1, &moved, &flags, o, nullptr);
    }
  }
  // One GQCS that dequeues the packet of `o`.
  void dequeue(OVERLAPPED* o, BOOL result = TRUE) {
    EXPECT_CALL(inner, GetQueuedCompletionStatus(kPort, _, _, _, _))
        .WillOnce(DoAll(SetArgPointee<1>(1), SetArgPointee<3>(o), Return(result)));
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED got = nullptr;
    ledger.GetQueuedCompletionStatus(kPort, &bytes, &key, &got, INFINITE);
  }

  NiceMock<testing::MockIoApi> inner;
  CompletionLedger ledger{inner};
  DWORD last_error = 0;
  OVERLAPPED op{};
  char byte[1] = {0};
};

TEST_F(CompletionLedgerTest, R3_APendedReceiveOwesOnePacketAndItsDequeueSettlesIt) {
  ASSERT_EQ(recv_that(WSA_IO_PENDING), SOCKET_ERROR);
  EXPECT_EQ(ledger.WSAGetLastError(), WSA_IO_PENDING);  // the caller reads what the call left
  EXPECT_EQ(ledger.unsettled(), 1U);
  dequeue(&op);
  EXPECT_EQ(ledger.unsettled(), 0U);
  EXPECT_TRUE(ledger.problems().empty());
  EXPECT_EQ(ledger.packets_owed(), 1U);
  EXPECT_EQ(ledger.packets_dequeued(), 1U);
}

TEST_F(CompletionLedgerTest, APendedReceiveNeverDequeuedIsNamedUnsettled) {
  recv_that(WSA_IO_PENDING);
  const auto problems = ledger.problems();
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_THAT(problems[0], ::testing::HasSubstr("WSARecv"));
  EXPECT_THAT(problems[0], ::testing::HasSubstr("owed and never dequeued"));
}

TEST_F(CompletionLedgerTest, R5_AFailedPacketIsStillTheOpsOnePacket) {
  recv_that(WSA_IO_PENDING);
  dequeue(&op, FALSE);
  EXPECT_TRUE(ledger.problems().empty());
}

TEST_F(CompletionLedgerTest, R10_AnAtOnceFailureOwesNoPacketSoOneDequeuedIsTooMany) {
  ASSERT_EQ(recv_that(WSAECONNRESET), SOCKET_ERROR);
  EXPECT_EQ(ledger.unsettled(), 0U);
  dequeue(&op);
  const auto problems = ledger.problems();
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_THAT(problems[0], ::testing::HasSubstr("no call owed"));
}

TEST_F(CompletionLedgerTest, R9_AnAtOnceSuccessOutsideSkipModeStillOwesItsPacket) {
  ASSERT_EQ(recv_that(0), 0);
  EXPECT_EQ(ledger.unsettled(), 1U);
  dequeue(&op);
  EXPECT_TRUE(ledger.problems().empty());
}

TEST_F(CompletionLedgerTest, R9b_AnAtOnceSuccessInSkipModeOwesNoneAndOneStrayPacketIsTolerated) {
  ASSERT_TRUE(ledger.SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(kSocket),
                                                        FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  ASSERT_EQ(recv_that(0), 0);
  EXPECT_EQ(ledger.unsettled(), 0U);
  dequeue(&op);  // a backend that does not honour the mode (what the engine's probe looks for)
  EXPECT_TRUE(ledger.problems().empty());
  dequeue(&op);  // but not two
  EXPECT_EQ(ledger.problems().size(), 1U);
}

TEST_F(CompletionLedgerTest, R15_APacketDequeuedBeforeItsIssuingCallReturnsIsNoProblem) {
  EXPECT_CALL(inner, WSARecv(kSocket, _, _, _, _, &op, _)).WillOnce([this](auto...) {
    dequeue(&op);  // another worker, inside the call
    last_error = WSA_IO_PENDING;
    return SOCKET_ERROR;
  });
  WSABUF buf{1, byte};
  DWORD got = 0;
  DWORD flags = 0;
  ledger.WSARecv(kSocket, &buf, 1, &got, &flags, &op, nullptr);
  EXPECT_EQ(ledger.unsettled(), 0U);
  EXPECT_TRUE(ledger.problems().empty());
}

TEST_F(CompletionLedgerTest, APacketDequeuedTwiceIsABreach) {
  recv_that(WSA_IO_PENDING);
  dequeue(&op);
  dequeue(&op);
  const auto problems = ledger.problems();
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_THAT(problems[0], ::testing::HasSubstr("dequeued more than were owed"));
}

TEST_F(CompletionLedgerTest, R14_EveryEntryOfABatchSettlesItsOp) {
  OVERLAPPED second{};
  recv_that(WSA_IO_PENDING);
  pends(kSocket, &second, /*send=*/true);
  EXPECT_EQ(ledger.unsettled(), 2U);
  EXPECT_CALL(inner, GetQueuedCompletionStatusEx(kPort, _, _, _, _, _))
      .WillOnce([&](HANDLE, LPOVERLAPPED_ENTRY e, ULONG, PULONG removed, DWORD, BOOL) {
        e[0] = OVERLAPPED_ENTRY{1, &op, 0, 1};
        e[1] = OVERLAPPED_ENTRY{1, &second, 0, 1};
        *removed = 2;
        return TRUE;
      });
  OVERLAPPED_ENTRY entries[4]{};
  ULONG removed = 0;
  ledger.GetQueuedCompletionStatusEx(kPort, entries, 4, &removed, INFINITE, FALSE);
  EXPECT_EQ(ledger.unsettled(), 0U);
  EXPECT_TRUE(ledger.problems().empty());
}

TEST_F(CompletionLedgerTest, APostedPacketIsOwedUntilDequeued) {
  OVERLAPPED wake{};
  EXPECT_CALL(inner, PostQueuedCompletionStatus(kPort, 0, 7, &wake)).WillOnce(Return(TRUE));
  ledger.PostQueuedCompletionStatus(kPort, 0, 7, &wake);
  EXPECT_EQ(ledger.unsettled(), 1U);
  dequeue(&wake);
  EXPECT_TRUE(ledger.problems().empty());
}

TEST_F(CompletionLedgerTest, R3_APortReportedGoneTakesWhatItOwedWithIt) {
  recv_that(WSA_IO_PENDING);
  EXPECT_CALL(inner, GetQueuedCompletionStatus(kPort, _, _, _, _)).WillOnce([this](auto...) {
    last_error = ERROR_ABANDONED_WAIT_0;
    return FALSE;
  });
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED got = nullptr;
  ledger.GetQueuedCompletionStatus(kPort, &bytes, &key, &got, INFINITE);
  EXPECT_EQ(ledger.GetLastError(), ERROR_ABANDONED_WAIT_0);
  EXPECT_EQ(ledger.unsettled(), 0U);
  recv_that(WSA_IO_PENDING);  // on a socket of the closed port: nowhere to queue a packet
  EXPECT_TRUE(ledger.problems().empty());
}

TEST_F(CompletionLedgerTest, AClosedPortOwesNothingMore) {
  recv_that(WSA_IO_PENDING);
  EXPECT_CALL(inner, CloseHandle(kPort)).WillOnce(Return(TRUE));
  ledger.CloseHandle(kPort);
  EXPECT_TRUE(ledger.problems().empty());
}

// Another thread gets the closed socket's handle for a new socket and associates it before the
// closing call has returned: the close takes only the old socket's association with it.
TEST_F(CompletionLedgerTest, AClosedSocketsReusedHandleKeepsTheNewSocketsPort) {
  EXPECT_CALL(inner, closesocket(kSocket)).WillOnce([this](SOCKET) {
    ledger.CreateIoCompletionPort(reinterpret_cast<HANDLE>(kSocket), kPort, 2, 0);
    return 0;
  });
  ledger.closesocket(kSocket);
  recv_that(WSA_IO_PENDING);
  EXPECT_EQ(ledger.unsettled(), 1U);
  dequeue(&op);
  EXPECT_TRUE(ledger.problems().empty());
}

TEST_F(CompletionLedgerTest, AnOpOnASocketWithNoPortOwesNothing) {
  constexpr SOCKET kLoose = 0x200;
  pends(kLoose, &op, /*send=*/false);
  EXPECT_EQ(ledger.unsettled(), 0U);
}

}  // namespace
}  // namespace iocpsim::iocp
