// Every outcome the shim can force, driven on a real emulated connection: the tuple the caller
// sees (return, OVERLAPPED, bytes, last error, Ex status, packet or none) is the one in its row
// of IOCP-SEMANTICS.md, and later calls on the socket answer as Windows would after that event.
#include "iocpsim/iocp/fault_injecting_io_api.hpp"

#include <gtest/gtest.h>

#include <string>

#include "fault_shim_fixture.hpp"

namespace iocpsim::iocp::testing {
namespace {

using FaultInjectingIoApiTest = FaultShimTest;

constexpr int kPending = SOCKET_ERROR;

// ---- pass-through ----

TEST_F(FaultInjectingIoApiTest, WithNoRuleArmedEverythingPassesThrough) {
  const Connection c = connect_pair();
  OVERLAPPED ov{};
  char buf[16];
  const Issued r = recv(c.engine, &ov, buf, sizeof buf);
  EXPECT_EQ(r.rc, kPending);
  EXPECT_EQ(r.error, WSA_IO_PENDING);
  peer_send(c, "hello");
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 5u);
  EXPECT_EQ(d.key, c.key);
  EXPECT_EQ(d.error, kDeadbeef);
  EXPECT_EQ(std::string(buf, 5), "hello");
}

TEST_F(FaultInjectingIoApiTest, WithNoRuleArmedAnOpDoneAtOnceOnASkippingSocketLeavesNothingHeld) {
  shim().set_journaling(false);
  const Connection c = connect_pair();
  ASSERT_TRUE(shim().SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(c.engine),
                                                        FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  OVERLAPPED ov{};
  const Issued r = send(c.engine, &ov, "abc", 3);
  EXPECT_EQ(r.rc, 0);  // R9b: no packet will come, so the shim must not wait for one
  EXPECT_EQ(r.bytes, 3u);
  EXPECT_EQ(shim().outstanding(), ShimOutstanding{});
  EXPECT_EQ(peer_recv(c, 3), "abc");
}

TEST_F(FaultInjectingIoApiTest, WithNoRuleArmedAFailedOpLeavesNothingHeld) {
  shim().set_journaling(false);
  const SOCKET s = shim().socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  keep_socket(s);
  OVERLAPPED ov{};
  const Issued r = send(s, &ov, "abc", 3);  // never connected
  EXPECT_EQ(r.rc, SOCKET_ERROR);
  EXPECT_NE(r.error, WSA_IO_PENDING);
  EXPECT_EQ(shim().outstanding(), ShimOutstanding{});
}

TEST_F(FaultInjectingIoApiTest, R5_WithNoRuleArmedAResetForcedAfterManyOpsStillEndsTheOneThatPends) {
  shim().set_journaling(false);
  const Connection c = connect_pair();
  OVERLAPPED ov{};
  for (int i = 0; i < 300; ++i) {  // one OVERLAPPED reused, op after op
    ASSERT_EQ(send(c.engine, &ov, "x", 1).rc, 0);
    ASSERT_EQ(dequeue().ov, &ov);
  }
  EXPECT_EQ(peer_recv(c, 300), std::string(300, 'x'));
  char buf[4];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).error, WSA_IO_PENDING);
  shim().force_now(c.engine, Outcome::peer_reset);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.error, ERROR_NETNAME_DELETED);
}

TEST_F(FaultInjectingIoApiTest, R5_WithTheJournalOffAForcedResetStillReachesGqcsAndGqcsEx) {
  shim().set_journaling(false);  // the pass-through path of both waits
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::peer_reset).times(2)});
  OVERLAPPED ov{};
  char buf[4];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).error, WSA_IO_PENDING);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.error, ERROR_NETNAME_DELETED);
  const Connection c2 = connect_pair();
  OVERLAPPED ov2{};
  EXPECT_EQ(recv(c2.engine, &ov2, buf, sizeof buf).error, WSA_IO_PENDING);
  OVERLAPPED_ENTRY entries[2]{};
  ULONG removed = 0;
  ASSERT_TRUE(shim().GetQueuedCompletionStatusEx(port(), entries, 2, &removed, kCeilingMs, FALSE));
  ASSERT_EQ(removed, 1u);
  EXPECT_EQ(entries[0].lpOverlapped, &ov2);
  EXPECT_EQ(ntstatus_of(entries[0].Internal), STATUS_CONNECTION_RESET);
  EXPECT_EQ(ntstatus_of(ov2.Internal), STATUS_CONNECTION_RESET);
}

// ---- R1 / R8: success with a chosen byte count ----

TEST_F(FaultInjectingIoApiTest, R1_SuccessWithByteCountForcedOnRecvMovesAtMostThatMany) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::success).on(Call::WSARecv).bytes(4)});
  OVERLAPPED ov{};
  char buf[16];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).error, WSA_IO_PENDING);
  peer_send(c, "0123456789");
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 4u);
  EXPECT_EQ(d.error, kDeadbeef);  // R1: success leaves the last error alone
  EXPECT_EQ(std::string(buf, 4), "0123");
  // Nothing was lost: the rest is there for the next receive, at once (R9).
  OVERLAPPED ov2{};
  const Issued r = recv(c.engine, &ov2, buf, sizeof buf);
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.bytes, 6u);
  EXPECT_EQ(std::string(buf, 6), "456789");
  EXPECT_EQ(dequeue().ov, &ov2);
}

TEST_F(FaultInjectingIoApiTest, R8_ShortSendForcedCompletesWithFewerBytesAndOnlyThoseReachThePeer) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::short_send).bytes(4)});
  OVERLAPPED ov{};
  const Issued r = send(c.engine, &ov, "0123456789", 10);
  EXPECT_EQ(r.rc, 0);  // done at once, and (R9) the packet reports the same
  EXPECT_EQ(r.bytes, 4u);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 4u);
  EXPECT_EQ(peer_recv(c, 4), "0123");
  // The engine resends the rest; the peer sees the stream whole and in order.
  OVERLAPPED ov2{};
  EXPECT_EQ(send(c.engine, &ov2, "456789", 6).rc, 0);
  EXPECT_EQ(dequeue().bytes, 6u);
  EXPECT_EQ(peer_recv(c, 6), "456789");
  EXPECT_EQ(shim().fired(0), 1u);
}

TEST_F(FaultInjectingIoApiTest, R8_ShortSendCannotBeForcedOnASendNoLongerThanItsCount) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::short_send).bytes(4)});
  OVERLAPPED ov{};
  EXPECT_EQ(send(c.engine, &ov, "abc", 3).bytes, 3u);
  EXPECT_EQ(dequeue().bytes, 3u);
  EXPECT_EQ(shim().fired(0), 0u);  // still armed for the next send that can be short
  OVERLAPPED ov2{};
  EXPECT_EQ(send(c.engine, &ov2, "0123456789", 10).bytes, 4u);
  EXPECT_EQ(dequeue().bytes, 4u);
  EXPECT_EQ(peer_recv(c, 7), "abc0123");
}

// ---- R4: peer FIN ----

TEST_F(FaultInjectingIoApiTest, R4_PeerFinForcedOnPendingRecvCompletesWithZeroBytesAndLaterRecvsReturnZero) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::peer_fin)});
  OVERLAPPED ov{};
  char buf[16];
  const Issued r = recv(c.engine, &ov, buf, sizeof buf);
  EXPECT_EQ(r.rc, kPending);
  EXPECT_EQ(r.error, WSA_IO_PENDING);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.key, c.key);
  EXPECT_EQ(d.error, kDeadbeef);
  EXPECT_EQ(ntstatus_of(ov.Internal), STATUS_SUCCESS);
  // The read side is closed for good: a later receive is done at once with 0 bytes (R9).
  OVERLAPPED ov2{};
  const Issued again = recv(c.engine, &ov2, buf, sizeof buf);
  EXPECT_EQ(again.rc, 0);
  EXPECT_EQ(again.bytes, 0u);
  const Dequeued d2 = dequeue();
  EXPECT_EQ(d2.ok, TRUE);
  EXPECT_EQ(d2.ov, &ov2);
  EXPECT_EQ(d2.bytes, 0u);
  // A half-close leaves our sending side working.
  OVERLAPPED ov3{};
  EXPECT_EQ(send(c.engine, &ov3, "bye", 3).rc, 0);
  EXPECT_EQ(dequeue().ov, &ov3);
  EXPECT_EQ(peer_recv(c, 3), "bye");
}

TEST_F(FaultInjectingIoApiTest, R4_AfterForcedFinASkipModeSocketReturnsZeroWithoutPacket) {
  const Connection c = connect_pair();
  ASSERT_TRUE(shim().SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(c.engine),
                                                        FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  shim().arm({fault(Outcome::peer_fin)});
  OVERLAPPED ov{};
  char buf[8];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).rc, kPending);  // ops that pend still queue
  EXPECT_EQ(dequeue().bytes, 0u);
  OVERLAPPED ov2{};
  const Issued again = recv(c.engine, &ov2, buf, sizeof buf);
  EXPECT_EQ(again.rc, 0);
  EXPECT_EQ(again.bytes, 0u);
  EXPECT_EQ(ntstatus_of(ov2.Internal), STATUS_SUCCESS);  // R9b: handled inline, no packet
}

// ---- R5 / R5b / R5d: peer reset ----

TEST_F(FaultInjectingIoApiTest, R5_PeerResetForcedOnPendingRecvFailsItWith64AndLaterCallsFailAtOnce) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::peer_reset).on(Call::WSARecv)});
  OVERLAPPED ov{};
  char buf[16];
  const Issued r = recv(c.engine, &ov, buf, sizeof buf);
  EXPECT_EQ(r.rc, kPending);
  EXPECT_EQ(r.error, WSA_IO_PENDING);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.key, c.key);
  EXPECT_EQ(d.error, ERROR_NETNAME_DELETED);
  EXPECT_EQ(ntstatus_of(ov.Internal), STATUS_CONNECTION_RESET);
  // R5b: later receives and sends fail at once with WSAECONNRESET, and queue nothing.
  OVERLAPPED ov2{};
  const Issued again = recv(c.engine, &ov2, buf, sizeof buf);
  EXPECT_EQ(again.rc, SOCKET_ERROR);
  EXPECT_EQ(again.error, WSAECONNRESET);
  const Issued sent = send(c.engine, &ov2, "x", 1);
  EXPECT_EQ(sent.rc, SOCKET_ERROR);
  EXPECT_EQ(sent.error, WSAECONNRESET);
  // The connection is really over: the peer reads the end of it.
  EXPECT_EQ(peer_recv(c, 1), "");
}

TEST_F(FaultInjectingIoApiTest, R5_PeerResetForcedReportsConnectionResetStatusThroughGqcsEx) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::peer_reset)});
  OVERLAPPED ov{};
  char buf[16];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).error, WSA_IO_PENDING);
  OVERLAPPED_ENTRY entries[4]{};
  ULONG removed = 0;
  ASSERT_EQ(shim().GetQueuedCompletionStatusEx(port(), entries, 4, &removed, kCeilingMs, FALSE), TRUE);
  ASSERT_EQ(removed, 1u);
  EXPECT_EQ(entries[0].lpOverlapped, &ov);
  EXPECT_EQ(ntstatus_of(entries[0].Internal), STATUS_CONNECTION_RESET);
  EXPECT_EQ(entries[0].dwNumberOfBytesTransferred, 0u);
}

TEST_F(FaultInjectingIoApiTest, R5_PeerResetForcedOnOneOpAlsoEndsTheOtherPendingOpOnTheConnection) {
  const Connection c = connect_pair();
  OVERLAPPED receive{};
  char buf[16];
  EXPECT_EQ(recv(c.engine, &receive, buf, sizeof buf).error, WSA_IO_PENDING);  // real, pending
  shim().arm({fault(Outcome::peer_reset).on(Call::WSASend)});
  OVERLAPPED sending{};
  EXPECT_EQ(send(c.engine, &sending, "abc", 3).error, WSA_IO_PENDING);
  // One packet each, both reporting the reset: first the send's, whose reset it was, then the
  // receive's, so that one worker meets them in that order.
  for (OVERLAPPED* expected : {&sending, &receive}) {
    const Dequeued d = dequeue();
    EXPECT_EQ(d.ok, FALSE);
    EXPECT_EQ(d.ov, expected);
    EXPECT_EQ(d.error, ERROR_NETNAME_DELETED);
  }
  EXPECT_EQ(ntstatus_of(receive.Internal), STATUS_CONNECTION_RESET);
  EXPECT_EQ(ntstatus_of(sending.Internal), STATUS_CONNECTION_RESET);
}

TEST_F(FaultInjectingIoApiTest, R5c_ForcedResetReadThroughWSAGetOverlappedResultIs10054) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::peer_reset)});
  OVERLAPPED ov{};
  char buf[4];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).error, WSA_IO_PENDING);
  EXPECT_EQ(dequeue().error, ERROR_NETNAME_DELETED);  // the same event, GQCS's code
  DWORD bytes = 0xFEED;
  DWORD flags = 0;
  shim().WSASetLastError(static_cast<int>(kDeadbeef));
  EXPECT_EQ(shim().WSAGetOverlappedResult(c.engine, &ov, &bytes, FALSE, &flags), FALSE);
  EXPECT_EQ(shim().WSAGetLastError(), WSAECONNRESET);  // ... and Winsock's
  EXPECT_EQ(bytes, 0u);
}

TEST_F(FaultInjectingIoApiTest, R5d_PeerResetForcedOnPendingSendReportsThePartialCount) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::peer_reset).on(Call::WSASend).bytes(3)});
  OVERLAPPED ov{};
  EXPECT_EQ(send(c.engine, &ov, "0123456789", 10).error, WSA_IO_PENDING);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 3u);
  EXPECT_EQ(d.error, ERROR_NETNAME_DELETED);
}

TEST_F(FaultInjectingIoApiTest, R5b_ResetForcedAtIssueFailsTheCallAtOnceWithoutPacket) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::immediate_error).on(Call::WSARecv).error(WSAECONNRESET)});
  OVERLAPPED ov{};
  char buf[8];
  const Issued r = recv(c.engine, &ov, buf, sizeof buf);
  EXPECT_EQ(r.rc, SOCKET_ERROR);
  EXPECT_EQ(r.error, WSAECONNRESET);
  EXPECT_EQ(r.bytes, 0xFEEDu);
  // The connection is dead for every later call too.
  const Issued sent = send(c.engine, &ov, "x", 1);
  EXPECT_EQ(sent.rc, SOCKET_ERROR);
  EXPECT_EQ(sent.error, WSAECONNRESET);
}

// ---- R6: local abort ----

TEST_F(FaultInjectingIoApiTest, R6_LocalAbortForcedOnPendingRecvFailsItWith1236) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::local_abort)});
  OVERLAPPED ov{};
  char buf[8];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).error, WSA_IO_PENDING);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, ERROR_CONNECTION_ABORTED);
  EXPECT_EQ(ntstatus_of(ov.Internal), STATUS_CONNECTION_ABORTED);
  const Issued again = recv(c.engine, &ov, buf, sizeof buf);
  EXPECT_EQ(again.rc, SOCKET_ERROR);
  EXPECT_EQ(again.error, WSAECONNABORTED);
}

// ---- R7 / R6b: cancelled ----

TEST_F(FaultInjectingIoApiTest, R7_CancelledForcedOnPendingRecvCompletesWith995AndTheSocketStaysUsable) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::cancelled)});
  OVERLAPPED ov{};
  char buf[8];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).error, WSA_IO_PENDING);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, ERROR_OPERATION_ABORTED);
  EXPECT_EQ(ntstatus_of(ov.Internal), STATUS_CANCELLED);
  // Cancelling ends the op, not the connection.
  peer_send(c, "ok");
  OVERLAPPED ov2{};
  EXPECT_EQ(recv(c.engine, &ov2, buf, sizeof buf).bytes, 2u);
  EXPECT_EQ(dequeue().ov, &ov2);
}

TEST_F(FaultInjectingIoApiTest, R6b_CancelledForcedOnPendingAcceptExCompletesWith995) {
  const SOCKET l = listener(shim());
  keep_socket(l);
  ASSERT_EQ(shim().CreateIoCompletionPort(reinterpret_cast<HANDLE>(l), port(), 7, 0), port());
  const SOCKET target = shim().socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  keep_socket(target);
  shim().arm({fault(Outcome::cancelled).on(Call::AcceptEx)});
  OVERLAPPED ov{};
  char addresses[2 * (sizeof(sockaddr_in) + 16)];
  DWORD bytes = 0;
  shim().SetLastError(kDeadbeef);
  EXPECT_EQ(shim().AcceptEx(l, target, addresses, 0, sizeof(sockaddr_in) + 16, sizeof(sockaddr_in) + 16, &bytes, &ov),
            FALSE);
  EXPECT_EQ(shim().GetLastError(), static_cast<DWORD>(WSA_IO_PENDING));
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.key, 7u);
  EXPECT_EQ(d.error, ERROR_OPERATION_ABORTED);
}

// ---- R9 / R9b: done at once ----

TEST_F(FaultInjectingIoApiTest, R9_SyncSuccessForcedOnSkipModeSocketStillQueuesExactlyOnePacket) {
  const Connection c = connect_pair();
  ASSERT_TRUE(shim().SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(c.engine),
                                                        FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  peer_send(c, "abcd");
  shim().arm({fault(Outcome::sync_success)});
  OVERLAPPED ov{};
  char buf[8];
  const Issued r = recv(c.engine, &ov, buf, sizeof buf);
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.bytes, 4u);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 4u);
  EXPECT_EQ(d.key, c.key);
  EXPECT_EQ(shim().fired(0), 1u);
}

TEST_F(FaultInjectingIoApiTest, R9_SyncSuccessCannotBeForcedOnAnOpThatPendsAndWaitsForTheNext) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::sync_success_skip).on(Call::WSARecv)});
  OVERLAPPED ov{};
  char buf[8];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).error, WSA_IO_PENDING);
  EXPECT_EQ(shim().fired(0), 0u);
  peer_send(c, "ab");
  EXPECT_EQ(dequeue().ov, &ov);  // the pended op keeps its packet
}

// R9b exists only where the caller set skip mode: on a socket that queues packets Windows queues
// one for every at-once success, so the rule does not fire there (a success with no packet would
// leave the caller waiting for ever) and fires on the first call once the socket skips.
TEST_F(FaultInjectingIoApiTest, R9b_SyncSuccessSkipWaitsForASocketInSkipModeThenQueuesNoPacket) {
  const Connection c = connect_pair();
  peer_send(c, "abcd");
  shim().arm({fault(Outcome::sync_success_skip)});
  OVERLAPPED ov{};
  char buf[8];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).rc, 0);
  EXPECT_EQ(shim().fired(0), 0u);
  EXPECT_EQ(dequeue().ov, &ov);  // R9: the socket queues packets, so its packet came
  ASSERT_TRUE(shim().SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(c.engine),
                                                        FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  peer_send(c, "ef");
  OVERLAPPED ov2{};
  const Issued r = recv(c.engine, &ov2, buf, sizeof buf);
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.bytes, 2u);
  EXPECT_EQ(shim().fired(0), 1u);
  EXPECT_EQ(ntstatus_of(ov2.Internal), STATUS_SUCCESS);
  EXPECT_EQ(dequeue(0).error, WAIT_TIMEOUT);  // handled inline only
}

// ---- R9 / R9b: what SetFileCompletionNotificationModes answers ----

BOOL set_skip_mode(FaultInjectingIoApi& shim, SOCKET s, UCHAR flags) {
  shim.SetLastError(kDeadbeef);
  return shim.SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(s), flags);
}

TEST_F(FaultInjectingIoApiTest, R9_SkipModeIgnoredAnswersTrueAndAnAtOnceSuccessStillQueuesItsPacket) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::skip_mode_ignored)});
  EXPECT_EQ(set_skip_mode(shim(), c.engine, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), TRUE);
  EXPECT_EQ(shim().GetLastError(), kDeadbeef);
  EXPECT_EQ(shim().fired(0), 1u);
  peer_send(c, "ab");
  OVERLAPPED ov{};
  char buf[4];
  const Issued r = recv(c.engine, &ov, buf, sizeof buf);
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.bytes, 2u);
  const Dequeued d = dequeue();  // as if the mode had never been asked for (R9)
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 2u);
}

TEST_F(FaultInjectingIoApiTest, R9_SkipModeIgnoredWaitsForACallThatAsksForTheMode) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::skip_mode_ignored)});
  EXPECT_EQ(set_skip_mode(shim(), c.engine, FILE_SKIP_SET_EVENT_ON_HANDLE), TRUE);
  EXPECT_EQ(shim().fired(0), 0u);  // nothing to ignore there
  EXPECT_EQ(set_skip_mode(shim(), c.engine, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), TRUE);
  EXPECT_EQ(shim().fired(0), 1u);
}

TEST_F(FaultInjectingIoApiTest, R9b_SkipModeRefusedFailsWith87AndTheSocketKeepsQueueingPackets) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::skip_mode_refused)});
  EXPECT_EQ(set_skip_mode(shim(), c.engine, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), FALSE);
  EXPECT_EQ(shim().GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
  peer_send(c, "ab");
  OVERLAPPED ov{};
  char buf[4];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).rc, 0);
  EXPECT_EQ(dequeue().ov, &ov);
  // The rule fired once: the next call sets the mode, and an at-once success then queues nothing.
  EXPECT_EQ(set_skip_mode(shim(), c.engine, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), TRUE);
  peer_send(c, "cd");
  OVERLAPPED ov2{};
  EXPECT_EQ(recv(c.engine, &ov2, buf, sizeof buf).rc, 0);
  EXPECT_EQ(dequeue(0).error, WAIT_TIMEOUT);
}

// ---- R10: immediate error ----

TEST_F(FaultInjectingIoApiTest, R10_ImmediateErrorForcedOnSendFailsAtOnceWithoutPacketAndNothingIsSent) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::immediate_error).on(Call::WSASend).error(WSAENOBUFS)});
  OVERLAPPED ov{};
  const Issued r = send(c.engine, &ov, "lost", 4);
  EXPECT_EQ(r.rc, SOCKET_ERROR);
  EXPECT_EQ(r.error, WSAENOBUFS);
  EXPECT_EQ(r.bytes, 0xFEEDu);
  // A transient failure: the next send goes through, and only it reaches the peer.
  OVERLAPPED ov2{};
  EXPECT_EQ(send(c.engine, &ov2, "sent", 4).rc, 0);
  EXPECT_EQ(dequeue().ov, &ov2);
  EXPECT_EQ(peer_recv(c, 4), "sent");
}

// ---- R12: ConnectEx failures, one per code ----

struct ConnectFailure {
  Outcome outcome;
  DWORD win32;
  NTSTATUS status;
};

class R12_ConnectExFailure : public FaultShimTest, public ::testing::WithParamInterface<ConnectFailure> {};

TEST_P(R12_ConnectExFailure, ForcedFailureReportsItsCodeAndLeavesTheSocketFreeToRetry) {
  const SOCKET l = listener(emu_);
  const SOCKET s = bound_socket(9);
  keep_socket(s);
  shim().arm({fault(GetParam().outcome)});
  OVERLAPPED ov{};
  EXPECT_EQ(connect_ex(s, l, &ov), static_cast<DWORD>(WSA_IO_PENDING));
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.key, 9u);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, GetParam().win32);
  EXPECT_EQ(ntstatus_of(ov.Internal), GetParam().status);
  expect_retry_connects(s, l);  // the rule fired once
}

INSTANTIATE_TEST_SUITE_P(
    EachCode, R12_ConnectExFailure,
    ::testing::Values(ConnectFailure{Outcome::connect_refused, ERROR_CONNECTION_REFUSED, STATUS_CONNECTION_REFUSED},
                      ConnectFailure{Outcome::connect_timeout, ERROR_SEM_TIMEOUT, STATUS_IO_TIMEOUT},
                      ConnectFailure{Outcome::network_unreachable, ERROR_NETWORK_UNREACHABLE,
                                     STATUS_NETWORK_UNREACHABLE},
                      ConnectFailure{Outcome::host_unreachable, ERROR_HOST_UNREACHABLE, STATUS_HOST_UNREACHABLE}),
    [](const ::testing::TestParamInfo<ConnectFailure>& p) { return std::string(outcome_name(p.param.outcome)); });

// ---- R7 / R6b: a connect nobody answers ----

TEST_F(FaultInjectingIoApiTest, R7_ConnectUnansweredPendsUntilCancelledThenCompletesWith995) {
  const SOCKET l = listener(emu_);
  const SOCKET s = bound_socket(9);
  keep_socket(s);
  shim().arm({fault(Outcome::connect_unanswered)});
  OVERLAPPED ov{};
  EXPECT_EQ(connect_ex(s, l, &ov), static_cast<DWORD>(WSA_IO_PENDING));
  EXPECT_EQ(emu_.outstanding().pending_ops, 0u);  // nothing issued: the SYN goes unanswered
  EXPECT_EQ(dequeue(0).error, WAIT_TIMEOUT);      // and nothing comes by itself
  OVERLAPPED second{};
  EXPECT_EQ(connect_ex(s, l, &second), static_cast<DWORD>(WSAEALREADY));  // one at a time
  shim().SetLastError(kDeadbeef);
  EXPECT_EQ(shim().CancelIoEx(reinterpret_cast<HANDLE>(s), &ov), TRUE);
  EXPECT_EQ(shim().GetLastError(), kDeadbeef);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.key, 9u);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, ERROR_OPERATION_ABORTED);
  EXPECT_EQ(ntstatus_of(ov.Internal), STATUS_CANCELLED);
  // Nothing is pending any more (R7: 1168).
  EXPECT_EQ(shim().CancelIoEx(reinterpret_cast<HANDLE>(s), nullptr), FALSE);
  EXPECT_EQ(shim().GetLastError(), static_cast<DWORD>(ERROR_NOT_FOUND));
  expect_retry_connects(s, l);  // the rule fired once
}

TEST_F(FaultInjectingIoApiTest, R6b_ConnectUnansweredEndsWith995WhenItsSocketIsClosed) {
  const SOCKET l = listener(emu_);
  const SOCKET s = bound_socket(9);
  shim().arm({fault(Outcome::connect_unanswered)});
  OVERLAPPED ov{};
  EXPECT_EQ(connect_ex(s, l, &ov), static_cast<DWORD>(WSA_IO_PENDING));
  EXPECT_EQ(shim().closesocket(s), 0);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.error, ERROR_OPERATION_ABORTED);
  emu_.closesocket(l);
}

// ---- R7 / R6: a peer that does not read ----

TEST_F(FaultInjectingIoApiTest, R7_PeerNotReadingHoldsTheSendAndEveryLaterOneUntilCancelled) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::peer_not_reading)});
  OVERLAPPED first{};
  OVERLAPPED second{};
  const Issued r = send(c.engine, &first, "abc", 3);
  EXPECT_EQ(r.rc, kPending);
  EXPECT_EQ(r.error, WSA_IO_PENDING);
  EXPECT_EQ(send(c.engine, &second, "def", 3).error, WSA_IO_PENDING);  // the peer still does not read
  EXPECT_EQ(shim().fired(0), 1u);                                      // the connection's state, not a second firing
  EXPECT_EQ(emu_.outstanding().pending_ops, 0u);
  EXPECT_EQ(dequeue(0).error, WAIT_TIMEOUT);
  // Receiving still works: the peer sends, it only does not read.
  peer_send(c, "hi");
  OVERLAPPED receive{};
  char buf[4];
  EXPECT_EQ(recv(c.engine, &receive, buf, sizeof buf).bytes, 2u);
  EXPECT_EQ(dequeue().ov, &receive);
  EXPECT_EQ(shim().CancelIoEx(reinterpret_cast<HANDLE>(c.engine), nullptr), TRUE);
  for (OVERLAPPED* ov : {&first, &second}) {
    const Dequeued d = dequeue();
    EXPECT_EQ(d.ok, FALSE);
    EXPECT_EQ(d.ov, ov);
    EXPECT_EQ(d.bytes, 0u);
    EXPECT_EQ(d.error, ERROR_OPERATION_ABORTED);
  }
  // Not a byte moved: closing our side (a FIN) is all the peer reads.
  shim().shutdown(c.engine, SD_SEND);
  EXPECT_EQ(peer_recv(c, 6), "");
}

TEST_F(FaultInjectingIoApiTest, R6_PeerNotReadingSendEndsWith1236WhenItsSocketIsClosed) {
  const SOCKET l = listener(emu_);
  const SOCKET s = shim().socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  const sockaddr_in to = loopback(local_port(l));
  ASSERT_EQ(shim().connect(s, reinterpret_cast<const sockaddr*>(&to), sizeof to), 0);
  const SOCKET peer = emu_.accept(l, nullptr, nullptr);
  ASSERT_EQ(shim().CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), port(), 5, 0), port());
  shim().arm({fault(Outcome::peer_not_reading)});
  OVERLAPPED ov{};
  EXPECT_EQ(send(s, &ov, "abc", 3).error, WSA_IO_PENDING);
  EXPECT_EQ(shim().closesocket(s), 0);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.key, 5u);
  EXPECT_EQ(d.error, ERROR_CONNECTION_ABORTED);
  EXPECT_EQ(ntstatus_of(ov.Internal), STATUS_CONNECTION_ABORTED);
  char buf[4];
  EXPECT_EQ(emu_.recv(peer, buf, sizeof buf, 0), 0);  // nothing arrived before the end
  emu_.closesocket(peer);
  emu_.closesocket(l);
}

TEST_F(FaultInjectingIoApiTest, R5d_AResetForcedNowEndsTheSendANotReadingPeerHeld) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::peer_not_reading)});
  OVERLAPPED ov{};
  EXPECT_EQ(send(c.engine, &ov, "abc", 3).error, WSA_IO_PENDING);
  shim().force_now(c.engine, Outcome::peer_reset);
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, ERROR_NETNAME_DELETED);
  EXPECT_EQ(send(c.engine, &ov, "x", 1).error, WSAECONNRESET);  // R5b wins over the held state
}

// ---- R2: wait timeout ----

TEST_F(FaultInjectingIoApiTest, R2_WaitTimeoutForcedWithAPacketQueuedLeavesItForTheNextWait) {
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 5, 0x51, nullptr));
  shim().arm({fault(Outcome::wait_timeout).on(Call::GetQueuedCompletionStatus)});
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, nullptr);
  EXPECT_EQ(d.bytes, 0xFEEDu);  // untouched
  EXPECT_EQ(d.error, WAIT_TIMEOUT);
  const Dequeued next = dequeue();
  EXPECT_EQ(next.ok, TRUE);
  EXPECT_EQ(next.key, 0x51u);
}

TEST_F(FaultInjectingIoApiTest, R2_WaitTimeoutForcedOnGqcsExReportsOneEntryRemovedToIgnore) {
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 5, 0x51, nullptr));
  shim().arm({fault(Outcome::wait_timeout).on(Call::GetQueuedCompletionStatusEx)});
  OVERLAPPED_ENTRY entries[2]{};
  ULONG removed = 77;
  shim().SetLastError(kDeadbeef);
  EXPECT_EQ(shim().GetQueuedCompletionStatusEx(port(), entries, 2, &removed, kCeilingMs, FALSE), FALSE);
  EXPECT_EQ(shim().GetLastError(), WAIT_TIMEOUT);
  EXPECT_EQ(removed, 1u);
  EXPECT_EQ(dequeue().key, 0x51u);
}

// ---- R3: port closed ----

TEST_F(FaultInjectingIoApiTest, R3_PortClosedForcedEndsTheWaitAndLaterCallsFailWithInvalidHandle) {
  shim().arm({fault(Outcome::port_closed)});
  const Dequeued d = dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, nullptr);
  EXPECT_EQ(d.error, ERROR_ABANDONED_WAIT_0);
  port_closed();
  const Dequeued later = dequeue(0);
  EXPECT_EQ(later.ok, FALSE);
  EXPECT_EQ(later.error, ERROR_INVALID_HANDLE);
  shim().SetLastError(kDeadbeef);
  EXPECT_EQ(shim().PostQueuedCompletionStatus(port(), 0, 0, nullptr), FALSE);
  EXPECT_EQ(shim().GetLastError(), ERROR_INVALID_HANDLE);
  EXPECT_EQ(shim().CloseHandle(port()), FALSE);
}

// ---- R11: spurious wake-up ----

TEST_F(FaultInjectingIoApiTest, R11_SpuriousWakeupForcedReadsAsAPostedPacketWithNoOverlapped) {
  shim().arm({fault(Outcome::spurious_wakeup).bytes(3).key(0xAB)});
  const Dequeued d = dequeue(0);
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, nullptr);
  EXPECT_EQ(d.bytes, 3u);
  EXPECT_EQ(d.key, 0xABu);
  EXPECT_EQ(d.error, kDeadbeef);
}

// ---- R14: mixed batch ----

TEST_F(FaultInjectingIoApiTest, R14_MixedBatchForcedTurnsOneSuccessIntoAResetThatTheConnectionKeeps) {
  const Connection a = connect_pair("A");
  const Connection b = connect_pair("B");
  char buf_a[8];
  char buf_b[8];
  peer_send(a, "aa");
  peer_send(b, "bb");
  OVERLAPPED ov_a{};
  OVERLAPPED ov_b{};
  EXPECT_EQ(recv(a.engine, &ov_a, buf_a, sizeof buf_a).rc, 0);
  EXPECT_EQ(recv(b.engine, &ov_b, buf_b, sizeof buf_b).rc, 0);
  shim().arm({fault(Outcome::mixed_batch)});
  OVERLAPPED_ENTRY entries[4]{};
  ULONG removed = 0;
  ASSERT_EQ(shim().GetQueuedCompletionStatusEx(port(), entries, 4, &removed, kCeilingMs, FALSE), TRUE);
  ASSERT_EQ(removed, 2u);
  // TRUE, yet one entry failed (R14): the first succeeded, the last was reset.
  EXPECT_EQ(entries[0].lpOverlapped, &ov_a);
  EXPECT_EQ(ntstatus_of(entries[0].Internal), STATUS_SUCCESS);
  EXPECT_EQ(entries[0].dwNumberOfBytesTransferred, 2u);
  EXPECT_EQ(entries[1].lpOverlapped, &ov_b);
  EXPECT_EQ(ntstatus_of(entries[1].Internal), STATUS_CONNECTION_RESET);
  EXPECT_EQ(entries[1].dwNumberOfBytesTransferred, 0u);
  // B's connection is reset from now on (R5b); A's is fine.
  OVERLAPPED again{};
  EXPECT_EQ(recv(b.engine, &again, buf_b, sizeof buf_b).error, WSAECONNRESET);
  EXPECT_EQ(recv(a.engine, &again, buf_a, sizeof buf_a).error, WSA_IO_PENDING);
  peer_send(a, "a");
  EXPECT_EQ(dequeue().ov, &again);
}

TEST_F(FaultInjectingIoApiTest, R14_MixedBatchWithASingleEntryWaitsForABatchThatCanBeMixed) {
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 0, 1, nullptr));
  shim().arm({fault(Outcome::mixed_batch)});
  OVERLAPPED_ENTRY entries[4]{};
  ULONG removed = 0;
  ASSERT_EQ(shim().GetQueuedCompletionStatusEx(port(), entries, 4, &removed, kCeilingMs, FALSE), TRUE);
  EXPECT_EQ(removed, 1u);
  EXPECT_EQ(shim().fired(0), 0u);
}

// ---- R15: reorder ----

TEST_F(FaultInjectingIoApiTest, R15_ReorderForcedDeliversTheHeldCompletionAfterTheNextOne) {
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 1, 0xA, nullptr));
  ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 2, 0xB, nullptr));
  shim().arm({fault(Outcome::reorder).on(Call::GetQueuedCompletionStatus)});
  EXPECT_EQ(dequeue().key, 0xBu);
  EXPECT_EQ(dequeue().key, 0xAu);
  EXPECT_EQ(shim().outstanding().held_packets, 0u);
}

TEST_F(FaultInjectingIoApiTest, R15_ReorderForcedWithNoLaterPacketStillDeliversTheHeldOne) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::reorder)});
  peer_send(c, "x");
  OVERLAPPED ov{};
  char buf[4];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).rc, 0);
  const Dequeued d = dequeue(0);  // nothing after it: the held packet is not lost
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 1u);
}

TEST_F(FaultInjectingIoApiTest, R15_ReorderForcedOnGqcsExHoldsTheFirstEntryForTheNextCall) {
  for (ULONG_PTR key = 1; key <= 3; ++key) {
    ASSERT_TRUE(shim().PostQueuedCompletionStatus(port(), 0, key, nullptr));
  }
  shim().arm({fault(Outcome::reorder).on(Call::GetQueuedCompletionStatusEx)});
  OVERLAPPED_ENTRY entries[4]{};
  ULONG removed = 0;
  ASSERT_TRUE(shim().GetQueuedCompletionStatusEx(port(), entries, 4, &removed, kCeilingMs, FALSE));
  ASSERT_EQ(removed, 2u);
  EXPECT_EQ(entries[0].lpCompletionKey, 2u);
  EXPECT_EQ(entries[1].lpCompletionKey, 3u);
  ASSERT_TRUE(shim().GetQueuedCompletionStatusEx(port(), entries, 4, &removed, kCeilingMs, FALSE));
  ASSERT_EQ(removed, 1u);
  EXPECT_EQ(entries[0].lpCompletionKey, 1u);
}

// ---- events forced on ops already pending in the backend ----

TEST_F(FaultInjectingIoApiTest, R5_PeerResetForcedNowOnARecvPendingInTheBackendFailsItWith64) {
  const Connection c = connect_pair();
  OVERLAPPED ov{};
  const Dequeued d = force_now_on_pending_recv(c, &ov, Outcome::peer_reset);
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, ERROR_NETNAME_DELETED);
  EXPECT_EQ(ntstatus_of(ov.Internal), STATUS_CONNECTION_RESET);
  EXPECT_EQ(send(c.engine, &ov, "x", 1).error, WSAECONNRESET);  // R5b
}

TEST_F(FaultInjectingIoApiTest, R4_PeerFinForcedNowOnARecvPendingInTheBackendCompletesItWithZero) {
  const Connection c = connect_pair();
  OVERLAPPED ov{};
  const Dequeued d = force_now_on_pending_recv(c, &ov, Outcome::peer_fin);
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, kDeadbeef);
  OVERLAPPED ov2{};
  char buf[8];
  EXPECT_EQ(recv(c.engine, &ov2, buf, sizeof buf).rc, 0);  // and every receive after it
  EXPECT_EQ(dequeue().bytes, 0u);
}

TEST_F(FaultInjectingIoApiTest, R4_WithTheJournalOffAFinForcedNowLeavesTheCallersLastErrorAlone) {
  shim().set_journaling(false);  // the pass-through wait: the backend itself reports 995
  const Connection c = connect_pair();
  OVERLAPPED ov{};
  const Dequeued d = force_now_on_pending_recv(c, &ov, Outcome::peer_fin);
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, kDeadbeef);
}

TEST_F(FaultInjectingIoApiTest, R6_LocalAbortForcedNowOnAPendingRecvFailsItWith1236AndLaterCallsWith10053) {
  const Connection c = connect_pair();
  OVERLAPPED receive{};
  const Dequeued d = force_now_on_pending_recv(c, &receive, Outcome::local_abort);
  EXPECT_EQ(d.ov, &receive);
  EXPECT_EQ(d.error, ERROR_CONNECTION_ABORTED);
  char buf[8];
  EXPECT_EQ(recv(c.engine, &receive, buf, sizeof buf).error, WSAECONNABORTED);
}

TEST_F(FaultInjectingIoApiTest, ForceNowRejectsWhatIsNotAnEventOfAConnection) {
  const Connection c = connect_pair();
  EXPECT_THROW(shim().force_now(c.engine, Outcome::wait_timeout), FaultRuleError);
}

// ---- consistency over the whole exchange ----

TEST_F(FaultInjectingIoApiTest, ClosingAResetSocketCompletesNothingMoreAndLeaksNothing) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::peer_reset)});
  OVERLAPPED ov{};
  char buf[4];
  EXPECT_EQ(recv(c.engine, &ov, buf, sizeof buf).error, WSA_IO_PENDING);
  EXPECT_EQ(dequeue().error, ERROR_NETNAME_DELETED);
  EXPECT_EQ(shim().outstanding(), ShimOutstanding{});
  EXPECT_EQ(emu_.outstanding().pending_ops, 0u);
}

}  // namespace
}  // namespace iocpsim::iocp::testing
