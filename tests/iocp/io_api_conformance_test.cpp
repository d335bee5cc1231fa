// The IOCP conformance suite: one test per row of IOCP-SEMANTICS.md (the row id starts each
// test's name), run on every backend of this build (the emulation on Linux; the native calls
// and the emulation over Winsock on Windows).
//
// Rows the emulation follows by inference, which no Windows test or document confirms (also
// listed in host/iocp/README.md):
//   R3  later calls on a closed port handle fail with 6 (ERROR_INVALID_HANDLE);
//   R5d a reset with a send pending completes it with FALSE + 64;
//   R2/R3 GQCSEx sets the count to 1 when it fails without a packet (measured for R2 only).
// Rows only the fault-injecting layer can produce (not tested here): R8 (short send), R14b
// (APCs), R16/R16b (UDP).
//
// Known Wine 8.0 divergences are skipped under Wine only, each with its reason: the four that
// IOCP-SEMANTICS.md lists which these tests can meet (R3 close does not wake, R5b reset looks
// like EOF, R6 676 instead of 1236) and two more measured here (R6c, R7). The fourth listed
// one (R12: refused loopback connects are instant) does not fail R12 below, which checks the
// result and not the delay. The emulation over Winsock meets one of them in another shape:
// under Wine no reset reaches it at all (R5, R5b, R5c, R6c; kWineEmulationSeesResetsAsEof).
#include "io_api_conformance_fixture.hpp"

#include <string>
#include <vector>

namespace iocpsim::iocp::testing {
namespace {

constexpr const char* kWineResetLooksLikeEof =
    "a reset that arrives with no recv pending is later reported as a graceful end of stream";
constexpr const char* kWineLocalCloseIs676 =
    "local close with a recv pending completes with 676 ERROR_HANDLES_CLOSED, not 1236";
// Measured here with Wine 8.0, beyond the four divergences IOCP-SEMANTICS.md lists:
constexpr const char* kWineLocalCloseSendsFin =
    "(measured) closing a socket with a recv pending sends FIN: the peer's recv returns 0 "
    "instead of failing with WSAECONNRESET";
// The emulation over Winsock never has a recv pending in Wine: it receives with non-blocking
// calls once WSAPoll says the socket is readable. Wine's divergence 2 then hits every reset.
constexpr const char* kWineEmulationSeesResetsAsEof =
    "the emulation receives only with non-blocking recvs (none pending in Wine), and Wine "
    "reports a reset that arrives with no recv pending as a graceful end of stream: recv "
    "returns 0 instead of failing with WSAECONNRESET, so no reset can reach the emulation";
constexpr const char* kWineEmptyRecvPends =
    "WSARecv with no buffers pends (Wine's own test_empty_recv marks it todo_wine) instead of failing at once "
    "with WSAEINVAL";
constexpr const char* kWineCancelAllNothingPendingSucceeds =
    "(measured) CancelIoEx(socket, NULL) with nothing pending returns TRUE (last error 2) "
    "instead of FALSE + 1168 ERROR_NOT_FOUND";

TYPED_TEST(IocpConformance, R1_PendingRecvCompletesWithTrueAndLeavesLastErrorUnchanged) {
  const Pair p = this->connected_pair();
  OVERLAPPED ov{};
  char buf[16] = {};
  this->expect_pending(this->start_recv(p.engine, &ov, buf, sizeof buf));
  this->peer_send(p.peer, "hello");
  const Dequeued d = this->dequeue();
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 5u);
  EXPECT_EQ(d.key, kEngineKey);
  EXPECT_EQ(d.error, kDeadbeef);
  EXPECT_EQ(std::string(buf, 5), "hello");
  EXPECT_EQ(ntstatus_of(ov.Internal), STATUS_SUCCESS);
  EXPECT_EQ(ov.InternalHigh, 5u);
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R1_PendingSendCompletesWithTrueAndTheFullByteCount) {
  constexpr int kBufferBytes = 8 * 1024;
  const Pair p = this->connected_pair(kBufferBytes);
  const std::string data(2 * 1024 * 1024, 'x');
  OVERLAPPED ov{};
  this->expect_pending(this->start_send(p.engine, &ov, data.data(), static_cast<ULONG>(data.size())));
  EXPECT_EQ(this->peer_receive(p.peer, data.size()).size(), data.size());
  const Dequeued d = this->dequeue();
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, data.size());
  EXPECT_EQ(d.error, kDeadbeef);
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R2_TimeoutReturnsFalseNullAnd258AndLeavesBytesUntouched) {
  for (const DWORD timeout_ms : {DWORD{0}, DWORD{20}}) {
    const Dequeued d = this->dequeue(timeout_ms);
    EXPECT_EQ(d.ok, FALSE);
    EXPECT_EQ(d.ov, nullptr);
    EXPECT_EQ(d.error, WAIT_TIMEOUT);
    EXPECT_EQ(d.bytes, 0xFEEDu) << "the byte count must not be touched";
  }
}

TYPED_TEST(IocpConformance, R2_ExTimeoutReturnsFalseAnd258AndSetsTheCountToOne) {
  OVERLAPPED_ENTRY entries[4] = {};
  ULONG removed = 77;
  this->io().SetLastError(kDeadbeef);
  EXPECT_EQ(this->io().GetQueuedCompletionStatusEx(this->port(), entries, 4, &removed, 20, FALSE), FALSE);
  EXPECT_EQ(this->io().GetLastError(), WAIT_TIMEOUT);
  EXPECT_EQ(removed, 1u);
}

// R3 (inferred): a closed port handle is invalid for every later call.
TYPED_TEST(IocpConformance, R3_CallsOnAClosedPortFailWithInvalidHandle) {
  const HANDLE port = this->port();
  this->close_port();
  const Dequeued d = this->dequeue_from(port, 0);
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, nullptr);
  EXPECT_EQ(d.error, ERROR_INVALID_HANDLE);
  this->io().SetLastError(kDeadbeef);
  EXPECT_EQ(this->io().PostQueuedCompletionStatus(port, 1, 2, nullptr), FALSE);
  EXPECT_EQ(this->io().GetLastError(), ERROR_INVALID_HANDLE);
  this->io().SetLastError(kDeadbeef);
  EXPECT_EQ(this->io().CloseHandle(port), FALSE);
  EXPECT_EQ(this->io().GetLastError(), ERROR_INVALID_HANDLE);
}

TYPED_TEST(IocpConformance, R1_ASocketJoinsANewPortInOneCallAndStaysThere) {
  const SOCKET s = this->bound_socket();
  const HANDLE own = this->io().CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), nullptr, 9, 0);
  ASSERT_NE(own, nullptr);
  EXPECT_NE(own, this->port());
  this->io().SetLastError(kDeadbeef);
  EXPECT_EQ(this->io().CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), this->port(), 1, 0), nullptr)
      << "a socket belongs to one port for life";
  EXPECT_EQ(this->io().GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
  this->close(s);
  EXPECT_TRUE(this->io().CloseHandle(own));
}

TYPED_TEST(IocpConformance, R4_PeerFinCompletesPendingRecvWithTrueAndZeroBytes) {
  const Pair p = this->connected_pair();
  OVERLAPPED ov{};
  char buf[16];
  this->expect_pending(this->start_recv(p.engine, &ov, buf, sizeof buf));
  EXPECT_EQ(this->io().shutdown(p.peer, SD_SEND), 0);
  const Dequeued d = this->dequeue();
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, kDeadbeef);
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R4_AHalfClosedConnectionStillCarriesOurSends) {
  const Pair p = this->connected_pair();
  EXPECT_EQ(this->io().shutdown(p.peer, SD_SEND), 0);
  OVERLAPPED rov{};
  char buf[16];
  const int rc = this->start_recv(p.engine, &rov, buf, sizeof buf);
  EXPECT_TRUE(rc == 0 || this->io().WSAGetLastError() == WSA_IO_PENDING);
  const Dequeued fin = this->dequeue();  // R9 or R4: either way one packet, 0 bytes
  EXPECT_EQ(fin.ok, TRUE);
  EXPECT_EQ(fin.bytes, 0u);
  OVERLAPPED sov{};
  const int sent = this->start_send(p.engine, &sov, "bye", 3);
  EXPECT_TRUE(sent == 0 || this->io().WSAGetLastError() == WSA_IO_PENDING);
  const Dequeued d = this->dequeue();
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &sov);
  EXPECT_EQ(this->peer_receive(p.peer, 3), "bye");
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R5_PeerResetCompletesPendingRecvWithFalseAnd64) {
  IOCPSIM_SKIP_EMULATION_UNDER_WINE(kWineEmulationSeesResetsAsEof);
  const Pair p = this->connected_pair();
  OVERLAPPED ov{};
  char buf[16];
  this->expect_pending(this->start_recv(p.engine, &ov, buf, sizeof buf));
  this->reset(p.peer);
  const Dequeued d = this->dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.key, kEngineKey);
  EXPECT_EQ(d.error, ERROR_NETNAME_DELETED);
  this->close(p.engine);
}

TYPED_TEST(IocpConformance, R5_ExReportsAPeerResetAsStatusConnectionReset) {
  IOCPSIM_SKIP_EMULATION_UNDER_WINE(kWineEmulationSeesResetsAsEof);
  const Pair p = this->connected_pair();
  OVERLAPPED ov{};
  char buf[16];
  this->expect_pending(this->start_recv(p.engine, &ov, buf, sizeof buf));
  this->reset(p.peer);
  OVERLAPPED_ENTRY e[2] = {};
  ULONG removed = 0;
  this->io().SetLastError(kDeadbeef);
  EXPECT_EQ(this->io().GetQueuedCompletionStatusEx(this->port(), e, 2, &removed, kGenerousMs, FALSE), TRUE);
  EXPECT_EQ(this->io().GetLastError(), kDeadbeef);
  ASSERT_EQ(removed, 1u);
  EXPECT_EQ(e[0].lpOverlapped, &ov);
  EXPECT_EQ(ntstatus_of(e[0].Internal), STATUS_CONNECTION_RESET);
  EXPECT_EQ(e[0].dwNumberOfBytesTransferred, 0u);
  this->close(p.engine);
}

TYPED_TEST(IocpConformance, R5b_RecvIssuedAfterAResetFailsAtOnceWithoutAPacket) {
  IOCPSIM_SKIP_EMULATION_UNDER_WINE(kWineEmulationSeesResetsAsEof);
  IOCPSIM_SKIP_UNDER_WINE(kWineResetLooksLikeEof);
  const Pair p = this->connected_pair();
  this->reset(p.peer);
  OVERLAPPED ov{};
  char buf[16];
  int rc = this->start_recv(p.engine, &ov, buf, sizeof buf);
  if (rc == SOCKET_ERROR && this->io().WSAGetLastError() == WSA_IO_PENDING) {
    // The reset had not arrived yet: it ends this receive (R5); the next one is "after".
    EXPECT_EQ(this->dequeue().error, ERROR_NETNAME_DELETED);
    rc = this->start_recv(p.engine, &ov, buf, sizeof buf);
  }
  EXPECT_EQ(rc, SOCKET_ERROR);
  EXPECT_EQ(this->io().WSAGetLastError(), WSAECONNRESET);
  OVERLAPPED sov{};
  EXPECT_EQ(this->start_send(p.engine, &sov, "x", 1), SOCKET_ERROR);
  EXPECT_EQ(this->io().WSAGetLastError(), WSAECONNRESET);
  EXPECT_EQ(this->dequeue(0).error, WAIT_TIMEOUT) << "an immediate failure queues no packet";
  this->close(p.engine);
}

TYPED_TEST(IocpConformance, R5c_WSAGetOverlappedResultReportsTheSameResetAs10054) {
  IOCPSIM_SKIP_EMULATION_UNDER_WINE(kWineEmulationSeesResetsAsEof);
  const Pair p = this->connected_pair();
  OVERLAPPED ov{};
  char buf[16];
  this->expect_pending(this->start_recv(p.engine, &ov, buf, sizeof buf));
  this->reset(p.peer);
  EXPECT_EQ(this->dequeue().error, ERROR_NETNAME_DELETED);
  DWORD bytes = 99;
  DWORD flags = 0;
  this->io().WSASetLastError(static_cast<int>(kDeadbeef));
  EXPECT_EQ(this->io().WSAGetOverlappedResult(p.engine, &ov, &bytes, FALSE, &flags), FALSE);
  EXPECT_EQ(this->io().WSAGetLastError(), WSAECONNRESET);
  EXPECT_EQ(bytes, 0u);
  this->close(p.engine);
}

// R5d (inferred from asio and libuv): a reset ends a pending send like a pending receive.
TYPED_TEST(IocpConformance, R5d_PeerResetCompletesPendingSendWithFalseAnd64) {
  const Pair p = this->connected_pair(8 * 1024);
  const std::string data(2 * 1024 * 1024, 'x');
  OVERLAPPED ov{};
  this->expect_pending(this->start_send(p.engine, &ov, data.data(), static_cast<ULONG>(data.size())));
  this->reset(p.peer);
  const Dequeued d = this->dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.error, ERROR_NETNAME_DELETED);
  EXPECT_LT(d.bytes, data.size());
  this->close(p.engine);
}

TYPED_TEST(IocpConformance, R6_LocalCloseCompletesPendingRecvWithFalseAnd1236) {
  IOCPSIM_SKIP_UNDER_WINE(kWineLocalCloseIs676);
  const Pair p = this->connected_pair();
  OVERLAPPED ov{};
  char buf[16];
  this->expect_pending(this->start_recv(p.engine, &ov, buf, sizeof buf));
  this->close(p.engine);
  const Dequeued d = this->dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, ERROR_CONNECTION_ABORTED);
  this->close(p.peer);
}

TYPED_TEST(IocpConformance, R6_ExReportsALocalCloseAsStatusConnectionAborted) {
  IOCPSIM_SKIP_UNDER_WINE(kWineLocalCloseIs676);
  const Pair p = this->connected_pair();
  OVERLAPPED ov{};
  char buf[16];
  this->expect_pending(this->start_recv(p.engine, &ov, buf, sizeof buf));
  this->close(p.engine);
  OVERLAPPED_ENTRY e[1] = {};
  ULONG removed = 0;
  EXPECT_EQ(this->io().GetQueuedCompletionStatusEx(this->port(), e, 1, &removed, kGenerousMs, FALSE), TRUE);
  EXPECT_EQ(e[0].lpOverlapped, &ov);
  EXPECT_EQ(ntstatus_of(e[0].Internal), STATUS_CONNECTION_ABORTED);
  this->close(p.peer);
}

TYPED_TEST(IocpConformance, R6b_ClosingAListenerCompletesPendingAcceptExWithFalseAnd995) {
  const SOCKET lst = this->listener();
  this->associate(lst);
  const SOCKET target = this->io().socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  char addresses[2 * (sizeof(sockaddr_in) + 16)];
  DWORD bytes = 0;
  OVERLAPPED ov{};
  this->io().WSASetLastError(static_cast<int>(kDeadbeef));
  EXPECT_EQ(
      this->io().AcceptEx(lst, target, addresses, 0, sizeof(sockaddr_in) + 16, sizeof(sockaddr_in) + 16, &bytes, &ov),
      FALSE);
  EXPECT_EQ(this->io().WSAGetLastError(), WSA_IO_PENDING);
  this->close(lst);
  const Dequeued d = this->dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, ERROR_OPERATION_ABORTED);
  this->close(target);
}

TYPED_TEST(IocpConformance, R6c_LocalCloseWithOpsPendingResetsThePeer) {
  IOCPSIM_SKIP_EMULATION_UNDER_WINE(kWineEmulationSeesResetsAsEof);
  IOCPSIM_SKIP_UNDER_WINE(kWineLocalCloseSendsFin);
  const Pair p = this->connected_pair();
  OVERLAPPED ov{};
  char buf[16];
  this->expect_pending(this->start_recv(p.engine, &ov, buf, sizeof buf));
  this->close(p.engine);
  EXPECT_EQ(this->dequeue().ov, &ov);
  char byte = 0;
  this->io().WSASetLastError(static_cast<int>(kDeadbeef));
  EXPECT_EQ(this->io().recv(p.peer, &byte, 1, 0), SOCKET_ERROR) << "RST, not FIN";
  EXPECT_EQ(this->io().WSAGetLastError(), WSAECONNRESET);
  this->close(p.peer);
}

TYPED_TEST(IocpConformance, R7_CancelIoExCompletesAPendingRecvWithFalseAnd995) {
  const Pair p = this->connected_pair();
  OVERLAPPED ov{};
  const Dequeued d = this->end_pending_recv(
      p.engine, &ov, [&] { return this->io().CancelIoEx(reinterpret_cast<HANDLE>(p.engine), &ov); });
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, ERROR_OPERATION_ABORTED);
  EXPECT_EQ(ntstatus_of(ov.Internal), STATUS_CANCELLED);
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R7_CancelIoExOfAnOpNotPendingFailsWith1168AndQueuesNothing) {
  const Pair p = this->connected_pair();
  OVERLAPPED ov{};
  this->io().SetLastError(kDeadbeef);
  EXPECT_EQ(this->io().CancelIoEx(reinterpret_cast<HANDLE>(p.engine), &ov), FALSE);
  EXPECT_EQ(this->io().GetLastError(), ERROR_NOT_FOUND);
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R7_CancelIoExOfEverythingWithNothingPendingFailsWith1168) {
  IOCPSIM_SKIP_UNDER_WINE(kWineCancelAllNothingPendingSucceeds);
  const Pair p = this->connected_pair();
  this->io().SetLastError(kDeadbeef);
  EXPECT_EQ(this->io().CancelIoEx(reinterpret_cast<HANDLE>(p.engine), nullptr), FALSE);
  EXPECT_EQ(this->io().GetLastError(), ERROR_NOT_FOUND);
  this->close_pair(p);
}

// EndsPendingOps, where the backend has it (the emulation): a pending op ended with a chosen
// result completes as if the I/O had ended so — what the fault shim relies on to force a FIN
// (R4: TRUE, 0 bytes, last error unchanged) or a reset (R5) on a receive already pending.
TYPED_TEST(IocpConformance, R4_R5_EndPendingOpEndsAPendingRecvWithTheResultGiven) {
  auto* ender = dynamic_cast<EndsPendingOps*>(&this->io());
  if (ender == nullptr) GTEST_SKIP() << "this backend cannot end an op with a chosen result";
  const Pair p = this->connected_pair();
  struct Case {
    NTSTATUS status;
    BOOL ok;
    DWORD error;
  };
  for (const Case c :
       {Case{STATUS_SUCCESS, TRUE, kDeadbeef}, Case{STATUS_CONNECTION_RESET, FALSE, ERROR_NETNAME_DELETED}}) {
    SCOPED_TRACE(c.status);
    OVERLAPPED ov{};
    const Dequeued d = this->end_pending_recv(p.engine, &ov, [&] {
      const BOOL ended = ender->EndPendingOp(reinterpret_cast<HANDLE>(p.engine), &ov, c.status, 0);
      EXPECT_EQ(this->io().GetLastError(), kDeadbeef);
      return ended;
    });
    EXPECT_EQ(d.ok, c.ok);
    EXPECT_EQ(d.ov, &ov);
    EXPECT_EQ(d.bytes, 0u);
    EXPECT_EQ(d.error, c.error);
    EXPECT_EQ(ntstatus_of(ov.Internal), c.status);
  }
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, EndPendingOpOfAnOpNotPendingFailsQueuesNothingAndKeepsTheLastError) {
  auto* ender = dynamic_cast<EndsPendingOps*>(&this->io());
  if (ender == nullptr) GTEST_SKIP() << "this backend cannot end an op with a chosen result";
  const Pair p = this->connected_pair();
  OVERLAPPED ov{};
  this->io().SetLastError(kDeadbeef);
  EXPECT_EQ(ender->EndPendingOp(reinterpret_cast<HANDLE>(p.engine), &ov, STATUS_SUCCESS, 0), FALSE);
  EXPECT_EQ(ender->EndPendingOp(reinterpret_cast<HANDLE>(INVALID_SOCKET), &ov, STATUS_SUCCESS, 0), FALSE);
  EXPECT_EQ(this->io().GetLastError(), kDeadbeef);
  this->close_pair(p);  // the end-of-test check: no packet was queued
}

TYPED_TEST(IocpConformance, R9_AnImmediateSuccessStillQueuesExactlyOnePacket) {
  const Pair p = this->connected_pair();
  this->peer_send(p.peer, "abc");
  this->wait_readable(p.engine);
  OVERLAPPED ov{};
  char buf[16];
  WSABUF b{sizeof buf, buf};
  DWORD bytes = 0;
  DWORD flags = 0;
  EXPECT_EQ(this->io().WSARecv(p.engine, &b, 1, &bytes, &flags, &ov, nullptr), 0);
  EXPECT_EQ(bytes, 3u);
  const Dequeued d = this->dequeue();
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 3u);
  EXPECT_EQ(this->dequeue(0).error, WAIT_TIMEOUT) << "one packet, not two";
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R9b_SkipModeImmediateSuccessQueuesNoPacket) {
  const Pair p = this->connected_pair();
  this->peer_send(p.peer, "abc");
  this->wait_readable(p.engine);
  EXPECT_EQ(
      this->io().SetFileCompletionNotificationModes(
          reinterpret_cast<HANDLE>(p.engine), FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE),
      TRUE);
  OVERLAPPED ov{};
  char buf[16];
  WSABUF b{sizeof buf, buf};
  DWORD bytes = 0;
  DWORD flags = 0;
  EXPECT_EQ(this->io().WSARecv(p.engine, &b, 1, &bytes, &flags, &ov, nullptr), 0);
  EXPECT_EQ(bytes, 3u);
  EXPECT_EQ(this->dequeue(0).error, WAIT_TIMEOUT) << "skip mode: handled inline only";
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R9b_SkipModeStillQueuesAPacketForAnOpThatPended) {
  const Pair p = this->connected_pair();
  EXPECT_EQ(this->io().SetFileCompletionNotificationModes(reinterpret_cast<HANDLE>(p.engine),
                                                          FILE_SKIP_COMPLETION_PORT_ON_SUCCESS),
            TRUE);
  OVERLAPPED ov{};
  char buf[16];
  this->expect_pending(this->start_recv(p.engine, &ov, buf, sizeof buf));
  this->peer_send(p.peer, "abc");
  const Dequeued d = this->dequeue();
  EXPECT_EQ(d.ok, TRUE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 3u);
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R10_AnImmediateFailureQueuesNoPacket) {
  const Pair p = this->connected_pair();
  EXPECT_EQ(this->io().shutdown(p.engine, SD_SEND), 0);
  OVERLAPPED ov{};
  EXPECT_EQ(this->start_send(p.engine, &ov, "x", 1), SOCKET_ERROR);
  EXPECT_EQ(this->io().WSAGetLastError(), WSAESHUTDOWN);
  EXPECT_EQ(this->dequeue(0).error, WAIT_TIMEOUT);
  this->close_pair(p);
}

// Wine's test_empty_recv expects this of Windows; Wine 8.0 itself leaves such a receive pending.
TYPED_TEST(IocpConformance, R10_AReceiveIntoNoBuffersFailsAtOnceWithWSAEINVAL) {
  IOCPSIM_SKIP_UNDER_WINE(kWineEmptyRecvPends);
  const Pair p = this->connected_pair();
  for (const bool null_array : {true, false}) {
    OVERLAPPED ov{};
    WSABUF unused{4, nullptr};
    DWORD flags = 0;
    DWORD bytes = 0;
    this->io().WSASetLastError(static_cast<int>(kDeadbeef));
    EXPECT_EQ(this->io().WSARecv(p.engine, null_array ? nullptr : &unused, 0, &bytes, &flags, &ov, nullptr),
              SOCKET_ERROR)
        << (null_array ? "a NULL buffer array" : "zero buffers");
    EXPECT_EQ(this->io().WSAGetLastError(), WSAEINVAL);
    EXPECT_EQ(this->dequeue(0).error, WAIT_TIMEOUT) << "no packet";
  }
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R11_APostedPacketReadsBackExactlyIncludingANullOverlapped) {
  OVERLAPPED marker{};
  const struct {
    DWORD bytes;
    ULONG_PTR key;
    OVERLAPPED* ov;
  } posts[] = {{1234, 0xabc, nullptr}, {0, 0, nullptr}, {0xFFFFFFFFu, ~ULONG_PTR{0}, &marker}};
  for (const auto& post : posts) {
    EXPECT_EQ(this->io().PostQueuedCompletionStatus(this->port(), post.bytes, post.key, post.ov), TRUE);
    const Dequeued d = this->dequeue();
    EXPECT_EQ(d.ok, TRUE);
    EXPECT_EQ(d.ov, post.ov);
    EXPECT_EQ(d.bytes, post.bytes);
    EXPECT_EQ(d.key, post.key);
    EXPECT_EQ(d.error, kDeadbeef);
  }
}

TYPED_TEST(IocpConformance, R12_ConnectExToAClosedPortCompletesWithFalseAnd1225) {
  const SOCKET unused = this->bound_socket();
  const sockaddr_in to = this->loopback(this->local_port(unused));
  this->close(unused);  // nothing listens there now
  const SOCKET s = this->bound_socket();
  this->associate(s);
  OVERLAPPED ov{};
  DWORD sent = 0;
  this->io().WSASetLastError(static_cast<int>(kDeadbeef));
  EXPECT_EQ(this->io().ConnectEx(s, reinterpret_cast<const sockaddr*>(&to), sizeof to, nullptr, 0, &sent, &ov), FALSE);
  EXPECT_EQ(this->io().WSAGetLastError(), WSA_IO_PENDING) << "refusal comes through the port";
  const Dequeued d = this->dequeue();
  EXPECT_EQ(d.ok, FALSE);
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.error, ERROR_CONNECTION_REFUSED);
  EXPECT_EQ(ntstatus_of(ov.Internal), STATUS_CONNECTION_REFUSED);
  this->close(s);
}

TYPED_TEST(IocpConformance, R13_AZeroByteRecvCompletesWhenDataArrivesAndConsumesNothing) {
  const Pair p = this->connected_pair();
  OVERLAPPED zov{};
  char none = 0;
  this->expect_pending(this->start_recv(p.engine, &zov, &none, 0));
  this->peer_send(p.peer, "data");
  const Dequeued z = this->dequeue();
  EXPECT_EQ(z.ok, TRUE);
  EXPECT_EQ(z.ov, &zov);
  EXPECT_EQ(z.bytes, 0u) << "zero bytes here is not end of stream";
  OVERLAPPED ov{};
  char buf[16];
  EXPECT_EQ(this->start_recv(p.engine, &ov, buf, sizeof buf), 0) << "the data is still there";
  const Dequeued d = this->dequeue();
  EXPECT_EQ(d.ov, &ov);
  EXPECT_EQ(d.bytes, 4u);
  EXPECT_EQ(std::string(buf, 4), "data");
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R14_ExReturnsTrueForABatchWhoseEntriesFailedAndSucceeded) {
  const Pair p = this->connected_pair();
  OVERLAPPED ov{};
  char buf[16];
  this->expect_pending(this->start_recv(p.engine, &ov, buf, sizeof buf));
  EXPECT_EQ(this->io().CancelIoEx(reinterpret_cast<HANDLE>(p.engine), &ov), TRUE);
  EXPECT_EQ(this->io().PostQueuedCompletionStatus(this->port(), 7, 0x77, nullptr), TRUE);
  std::vector<OVERLAPPED_ENTRY> got;
  while (got.size() < 2) {
    OVERLAPPED_ENTRY e[8] = {};
    ULONG removed = 0;
    this->io().SetLastError(kDeadbeef);
    ASSERT_EQ(this->io().GetQueuedCompletionStatusEx(this->port(), e, 8, &removed, kGenerousMs, FALSE), TRUE);
    EXPECT_EQ(this->io().GetLastError(), kDeadbeef);
    got.insert(got.end(), e, e + removed);
  }
  ASSERT_EQ(got.size(), 2u);
  const bool cancel_first = got[0].lpOverlapped == &ov;
  const OVERLAPPED_ENTRY& cancelled = got[cancel_first ? 0 : 1];
  const OVERLAPPED_ENTRY& posted = got[cancel_first ? 1 : 0];
  EXPECT_EQ(cancelled.lpOverlapped, &ov);
  EXPECT_EQ(ntstatus_of(cancelled.Internal), STATUS_CANCELLED);
  EXPECT_EQ(posted.lpOverlapped, nullptr);
  EXPECT_EQ(ntstatus_of(posted.Internal), STATUS_SUCCESS);
  EXPECT_EQ(posted.dwNumberOfBytesTransferred, 7u);
  EXPECT_EQ(posted.lpCompletionKey, 0x77u);
  this->close_pair(p);
}

TYPED_TEST(IocpConformance, R15_PacketsAreQueuedFifo) {
  constexpr ULONG_PTR kPackets = 100;
  for (ULONG_PTR k = 0; k < kPackets; ++k) {
    EXPECT_EQ(this->io().PostQueuedCompletionStatus(this->port(), 0, k, nullptr), TRUE);
  }
  ULONG_PTR expected = 0;
  while (expected < kPackets) {
    OVERLAPPED_ENTRY e[16] = {};
    ULONG removed = 0;
    ASSERT_EQ(this->io().GetQueuedCompletionStatusEx(this->port(), e, 16, &removed, kGenerousMs, FALSE), TRUE);
    for (ULONG i = 0; i < removed; ++i) EXPECT_EQ(e[i].lpCompletionKey, expected++);
  }
}

}  // namespace
}  // namespace iocpsim::iocp::testing
