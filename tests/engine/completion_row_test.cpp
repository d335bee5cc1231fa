#include "iocpsim/engine/completion_row.hpp"

#include <gtest/gtest.h>

namespace iocpsim::engine {
namespace {

Observation entry(OpKind kind, NTSTATUS status, DWORD bytes, DWORD requested = 4096) {
  Observation o;
  o.source = Observation::Source::entry;
  o.has_overlapped = true;
  o.kind = kind;
  o.status = status;
  o.bytes = bytes;
  o.requested_bytes = requested;
  return o;
}

Observation dequeue_failed(DWORD error) {
  Observation o;
  o.source = Observation::Source::dequeue_failed;
  o.error = error;
  return o;
}

Observation issued(OpKind kind, DWORD error, bool skip = false) {
  Observation o;
  o.source = Observation::Source::issue_result;
  o.kind = kind;
  o.error = error;
  o.skip_port_on_success = skip;
  return o;
}

TEST(CompletionRowTest, R1CompletedReceiveWithBytesIsSuccess) {
  EXPECT_EQ(classify(entry(OpKind::receive, STATUS_SUCCESS, 10)), CompletionRow::r1_success);
  EXPECT_EQ(classify(entry(OpKind::send, STATUS_SUCCESS, 4096)), CompletionRow::r1_success);
  EXPECT_EQ(classify(entry(OpKind::connect, STATUS_SUCCESS, 0, 0)), CompletionRow::r1_success);
}

TEST(CompletionRowTest, R2DequeueTimeoutIsTimeoutWhateverTheCountSays) {
  EXPECT_EQ(classify(dequeue_failed(WAIT_TIMEOUT)), CompletionRow::r2_timeout);
}

TEST(CompletionRowTest, R3AbandonedWaitAndInvalidHandleMeanThePortIsGone) {
  EXPECT_EQ(classify(dequeue_failed(ERROR_ABANDONED_WAIT_0)), CompletionRow::r3_port_closed);
  EXPECT_EQ(classify(dequeue_failed(ERROR_INVALID_HANDLE)), CompletionRow::r3_port_closed);
}

TEST(CompletionRowTest, R4ZeroBytesIntoARealBufferIsEndOfStream) {
  EXPECT_EQ(classify(entry(OpKind::receive, STATUS_SUCCESS, 0)), CompletionRow::r4_end_of_stream);
}

TEST(CompletionRowTest, R5AndR5dResetOnAPendingReceiveOrSendIsPeerReset) {
  EXPECT_EQ(classify(entry(OpKind::receive, STATUS_CONNECTION_RESET, 0)), CompletionRow::r5_peer_reset);
  EXPECT_EQ(classify(entry(OpKind::send, STATUS_CONNECTION_RESET, 100)), CompletionRow::r5_peer_reset);
}

TEST(CompletionRowTest, R5bResetReportedByTheIssuingCallIsHandledInline) {
  EXPECT_EQ(classify(issued(OpKind::send, WSAECONNRESET)), CompletionRow::r5b_reset_on_issue);
  // The same event as a Win32 code in WSAGetLastError (asio has seen this).
  EXPECT_EQ(classify(issued(OpKind::receive, ERROR_NETNAME_DELETED)), CompletionRow::r5b_reset_on_issue);
}

TEST(CompletionRowTest, R6LocalAbortIncludingWinesCodeIsLocalAbort) {
  EXPECT_EQ(classify(entry(OpKind::receive, STATUS_CONNECTION_ABORTED, 0)), CompletionRow::r6_local_abort);
  EXPECT_EQ(classify(entry(OpKind::send, STATUS_HANDLES_CLOSED, 0)), CompletionRow::r6_local_abort);
}

TEST(CompletionRowTest, R6bAndR7AreToldApartByTheEnginesOwnFlagNotTheCode) {
  Observation o = entry(OpKind::connect, STATUS_CANCELLED, 0, 0);
  EXPECT_EQ(classify(o), CompletionRow::r6b_aborted);
  o.cancelled_by_us = true;
  EXPECT_EQ(classify(o), CompletionRow::r7_cancelled);
  Observation r = entry(OpKind::receive, STATUS_CANCELLED, 0);
  r.cancelled_by_us = true;
  EXPECT_EQ(classify(r), CompletionRow::r7_cancelled);
}

TEST(CompletionRowTest, R8SendCompletingWithFewerBytesIsShortSend) {
  EXPECT_EQ(classify(entry(OpKind::send, STATUS_SUCCESS, 100, 4096)), CompletionRow::r8_short_send);
}

TEST(CompletionRowTest, R9AndR9bSuccessAtOnceDependsOnSkipMode) {
  EXPECT_EQ(classify(issued(OpKind::receive, 0, false)), CompletionRow::r9_done_packet_follows);
  EXPECT_EQ(classify(issued(OpKind::receive, 0, true)), CompletionRow::r9b_done_inline);
}

TEST(CompletionRowTest, R10AnyOtherImmediateErrorIsFailedOnIssue) {
  EXPECT_EQ(classify(issued(OpKind::send, WSAENOBUFS)), CompletionRow::r10_failed_on_issue);
  EXPECT_EQ(classify(issued(OpKind::connect, WSAEADDRNOTAVAIL)), CompletionRow::r10_failed_on_issue);
  EXPECT_EQ(classify(issued(OpKind::receive, ERROR_PORT_UNREACHABLE)), CompletionRow::r10_failed_on_issue);
}

TEST(CompletionRowTest, PendingIsNotARowThatReleasesAnything) {
  EXPECT_EQ(classify(issued(OpKind::receive, WSA_IO_PENDING)), CompletionRow::pending);
  EXPECT_FALSE(releases_op(CompletionRow::pending));
  EXPECT_FALSE(releases_op(CompletionRow::r9_done_packet_follows));
  EXPECT_TRUE(releases_op(CompletionRow::r9b_done_inline));
  EXPECT_TRUE(releases_op(CompletionRow::r10_failed_on_issue));
}

TEST(CompletionRowTest, R11TrueWithoutOverlappedIsAPostedPacket) {
  Observation o;
  o.source = Observation::Source::entry;
  o.has_overlapped = false;
  EXPECT_EQ(classify(o), CompletionRow::r11_posted);
}

TEST(CompletionRowTest, R12EveryConnectFailureCodeIsConnectFailed) {
  for (NTSTATUS s :
       {STATUS_CONNECTION_REFUSED, STATUS_IO_TIMEOUT, STATUS_NETWORK_UNREACHABLE, STATUS_HOST_UNREACHABLE}) {
    EXPECT_EQ(classify(entry(OpKind::connect, s, 0, 0)), CompletionRow::r12_connect_failed) << s;
  }
}

TEST(CompletionRowTest, R13ZeroBytesIntoAnEmptyBufferIsNotEndOfStream) {
  EXPECT_EQ(classify(entry(OpKind::receive, STATUS_SUCCESS, 0, 0)), CompletionRow::r13_zero_byte_receive);
}

TEST(CompletionRowTest, R14EachEntryOfASuccessfulBatchIsClassifiedOnItsOwnStatus) {
  EXPECT_EQ(classify(entry(OpKind::receive, STATUS_SUCCESS, 5)), CompletionRow::r1_success);
  EXPECT_EQ(classify(entry(OpKind::receive, STATUS_CONNECTION_RESET, 0)), CompletionRow::r5_peer_reset);
}

TEST(CompletionRowTest, R14bApcWakeUpMeansWaitAgain) {
  EXPECT_EQ(classify(dequeue_failed(WAIT_IO_COMPLETION)), CompletionRow::r14b_woken_by_apc);
}

TEST(CompletionRowTest, R16AndR16bDatagramRowsAreNamedNotFatal) {
  EXPECT_EQ(classify(entry(OpKind::receive, STATUS_BUFFER_OVERFLOW, 4096)), CompletionRow::r16_truncated);
  EXPECT_EQ(classify(entry(OpKind::receive, STATUS_PORT_UNREACHABLE, 0)), CompletionRow::r16b_port_unreachable);
}

TEST(CompletionRowTest, AnUnnamedFailureStatusIsFailedOther) {
  EXPECT_EQ(classify(entry(OpKind::receive, static_cast<NTSTATUS>(0xC0000001u), 0)), CompletionRow::failed_other);
}

TEST(CompletionRowTest, RowsPrintAsTheirIds) {
  EXPECT_STREQ(to_string(CompletionRow::r5b_reset_on_issue), "R5b");
  EXPECT_STREQ(describe(CompletionRow::r4_end_of_stream), "end_of_stream");
  EXPECT_STREQ(to_string(CompletionRow::failed_other), "other");
}

}  // namespace
}  // namespace iocpsim::engine
