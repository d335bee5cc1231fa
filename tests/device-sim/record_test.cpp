#include "iocpsim/devsim/record.hpp"

#include <gtest/gtest.h>

namespace iocpsim::devsim {
namespace {

namespace pr = iocpsim::protocol;

TEST(DeliveryRecordTest, ListsIntactTelemetrySeqsPerChannel) {
  DeliveryRecord r;
  r.sent.push_back({{}, pr::MessageType::telemetry, 1, 0, 0, ""});
  r.sent.push_back({{}, pr::MessageType::telemetry, 2, 1, 0, ""});
  r.sent.push_back({{}, pr::MessageType::telemetry, 3, 0, 1, "crc"});
  r.sent.push_back({{}, pr::MessageType::telemetry, 4, 0, 2, ""});
  r.sent.push_back({{}, pr::MessageType::event, 5, 0, 0, ""});
  EXPECT_EQ(r.telemetry_seqs(0), (std::vector<std::uint32_t>{0, 2}));
  EXPECT_EQ(r.telemetry_seqs(1), (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(r.sent_count(pr::MessageType::telemetry), 4u);
  const auto summary = r.to_json();
  EXPECT_EQ(summary["sent"]["telemetry"], 4);
  EXPECT_EQ(summary["telemetry"]["0"]["count"], 2);
  EXPECT_EQ(summary["telemetry"]["0"]["last_seq"], 2);
}

TEST(DeliveryRecordTest, CountsReceivedMessagesByType) {
  DeliveryRecord r;
  r.received.push_back({{}, 1, {{"type", "heartbeat"}}});
  r.received.push_back({{}, 2, {{"type", "heartbeat"}}});
  EXPECT_EQ(r.received_count(pr::MessageType::heartbeat), 2u);
  EXPECT_EQ(r.received_count(pr::MessageType::hello), 0u);
}

}  // namespace
}  // namespace iocpsim::devsim
