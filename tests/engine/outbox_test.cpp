#include "outbox.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace iocpsim::engine::detail {
namespace {

TEST(OutboxTest, DeliversEveryKindInQueueOrderUnderTheOutboxsDeviceName) {
  OutboxPool pool;
  const std::string name = "d7";
  Outbox box(pool, name);
  const std::vector<std::uint8_t> in_buffer{1, 2, 3};
  std::vector<std::uint8_t> copied{4, 5};
  box.state(SessionState::handshaking, SessionState::ready);
  box.telemetry_in_place(3, 10, 100, in_buffer);
  box.telemetry(4, 11, 101, copied);
  copied[0] = 9;  // queued by copy: the change must not show
  box.device_event({77, 2, 5, 102, "hot"});
  CommandResult answered;
  box.command_done([&](const CommandResult& r) { answered = r; }, CommandOutcome::device_status, 6, copied);

  std::vector<std::string> seen;
  Callbacks cb;
  cb.on_state = [&](const std::string& d, SessionState from, SessionState to) {
    EXPECT_EQ(from, SessionState::handshaking);
    EXPECT_EQ(to, SessionState::ready);
    seen.push_back("state " + d);
  };
  cb.on_telemetry = [&](const std::string& d, const TelemetrySample& t) {
    if (t.channel == 3) {
      EXPECT_EQ(t.samples.data(), in_buffer.data());  // in place: not copied
      EXPECT_EQ(t.channel_seq, 10u);
      EXPECT_EQ(t.timestamp_us, 100u);
    } else {
      EXPECT_EQ(std::vector<std::uint8_t>(t.samples.begin(), t.samples.end()), (std::vector<std::uint8_t>{4, 5}));
      EXPECT_EQ(t.channel_seq, 11u);
    }
    seen.push_back("telemetry " + std::to_string(t.channel) + " " + d);
  };
  cb.on_device_event = [&](const std::string& d, const DeviceEvent& e) {
    EXPECT_EQ(e.event_id, 77u);
    EXPECT_EQ(e.severity, 2);
    EXPECT_EQ(e.code, 5);
    EXPECT_EQ(e.timestamp_us, 102u);
    EXPECT_EQ(e.text, "hot");
    seen.push_back("event " + d);
  };
  box.deliver(cb);

  EXPECT_EQ(seen, (std::vector<std::string>{"state d7", "telemetry 3 d7", "telemetry 4 d7", "event d7"}));
  EXPECT_EQ(answered.outcome, CommandOutcome::device_status);
  EXPECT_EQ(answered.status, 6);
  EXPECT_EQ(std::vector<std::uint8_t>(answered.data.begin(), answered.data.end()), (std::vector<std::uint8_t>{9, 5}));
  EXPECT_TRUE(box.empty());
}

TEST(OutboxTest, DeliveredItemStorageGoesBackToThePoolForTheNextOutbox) {
  OutboxPool pool;
  const std::string a_name = "a";
  const std::string b_name = "b";
  Outbox a(pool, a_name);
  Outbox b(pool, b_name);
  const std::vector<std::uint8_t> bytes{1};
  for (std::uint32_t i = 0; i < 100; ++i) a.telemetry_in_place(1, i, 0, bytes);
  a.deliver({});
  // `a` holds nothing now; `b` takes the vector `a` gave back, with its capacity.
  std::vector<OutboxItem> taken = pool.take();
  EXPECT_GE(taken.capacity(), 100u);
  EXPECT_TRUE(taken.empty());
  pool.give(std::move(taken));
  b.state(SessionState::backoff, SessionState::connecting);
  EXPECT_EQ(pool.take().capacity(), 0u);  // b has it: the pool is empty again
}

TEST(OutboxTest, PoolHandsOutTheMostRecentlyReturnedVectorFirstAndKeepsNoEmptyOnes) {
  OutboxPool pool;
  std::vector<OutboxItem> older(0);
  older.reserve(8);
  std::vector<OutboxItem> newer(0);
  newer.reserve(16);
  const OutboxItem* newer_data = newer.data();
  pool.give(std::move(older));
  pool.give(std::move(newer));
  pool.give({});  // no capacity: nothing worth keeping
  EXPECT_EQ(pool.take().data(), newer_data);
  EXPECT_EQ(pool.take().capacity(), 8u);
  EXPECT_EQ(pool.take().capacity(), 0u);
}

TEST(OutboxTest, AnOutboxDestroyedWithItemsQueuedGivesItsStorageBack) {
  OutboxPool pool;
  const std::string name = "d";
  {
    Outbox box(pool, name);
    box.state(SessionState::backoff, SessionState::connecting);
  }
  EXPECT_GT(pool.take().capacity(), 0u);
}

TEST(OutboxTest, AReceiveBufferHasTheSizeAskedFor) {
  ReceiveBuffer buffer(64 * 1024);
  ASSERT_NE(buffer.data(), nullptr);
  EXPECT_EQ(buffer.size, 64u * 1024);
  buffer.data()[buffer.size - 1] = 1;  // writable to its last byte (ASan checks the bound)
}

}  // namespace
}  // namespace iocpsim::engine::detail
