// The emulated port's queueing rules, checked directly: FIFO packets, LIFO waiters, timeouts,
// close while waiting, batches.
#include "completion_port.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace iocpsim::iocp::detail {
namespace {

Packet packet_with_key(ULONG_PTR key) { return Packet{key, nullptr, 0, STATUS_SUCCESS, false}; }

// Waits (by yielding, not sleeping) until n threads block in the port.
void wait_for_waiters(const Port& port, std::size_t n) {
  while (port.waiters() != n) std::this_thread::yield();
}

TEST(CompletionPortTest, PacketsComeOutInTheOrderTheyWentIn) {
  Port port;
  const auto gen = port.open();
  for (ULONG_PTR k = 1; k <= 5; ++k) ASSERT_TRUE(port.post(gen, packet_with_key(k)));
  Packet out[8];
  std::size_t n = 0;
  ASSERT_EQ(port.dequeue(gen, out, 3, &n, 0), DequeueResult::got);
  ASSERT_EQ(n, 3u);
  EXPECT_EQ(out[0].key, 1u);
  EXPECT_EQ(out[2].key, 3u);
  ASSERT_EQ(port.dequeue(gen, out, 8, &n, 0), DequeueResult::got);
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(out[0].key, 4u);
  EXPECT_EQ(port.queued(), 0u);
}

TEST(CompletionPortTest, TheMostRecentWaiterIsWokenFirst) {
  Port port;
  const auto gen = port.open();
  ULONG_PTR first_waiter_key = 0;
  ULONG_PTR second_waiter_key = 0;
  const auto wait_into = [&](ULONG_PTR* key) {
    Packet p{};
    std::size_t n = 0;
    EXPECT_EQ(port.dequeue(gen, &p, 1, &n, INFINITE), DequeueResult::got);
    *key = p.key;
  };
  std::thread first(wait_into, &first_waiter_key);
  wait_for_waiters(port, 1);
  std::thread second(wait_into, &second_waiter_key);
  wait_for_waiters(port, 2);
  port.post(gen, packet_with_key(10));
  second.join();
  EXPECT_EQ(second_waiter_key, 10u);
  EXPECT_EQ(port.waiters(), 1u);
  port.post(gen, packet_with_key(20));
  first.join();
  EXPECT_EQ(first_waiter_key, 20u);
}

TEST(CompletionPortTest, AWaiterThatTimesOutLeavesTheStack) {
  Port port;
  const auto gen = port.open();
  Packet p{};
  std::size_t n = 0;
  EXPECT_EQ(port.dequeue(gen, &p, 1, &n, 1), DequeueResult::timeout);
  EXPECT_EQ(port.waiters(), 0u);
  port.post(gen, packet_with_key(1));
  EXPECT_EQ(port.queued(), 1u) << "no stale waiter swallowed the packet";
}

TEST(CompletionPortTest, ClosingWakesEveryWaiterAsAbandonedAndDropsPackets) {
  Port port;
  const auto gen = port.open();
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&] {
      Packet p{};
      std::size_t n = 0;
      EXPECT_EQ(port.dequeue(gen, &p, 1, &n, INFINITE), DequeueResult::abandoned);
    });
  }
  wait_for_waiters(port, 3);
  EXPECT_TRUE(port.close(gen));
  for (auto& t : waiters) t.join();
  EXPECT_FALSE(port.post(gen, packet_with_key(1)));
  EXPECT_FALSE(port.close(gen));
  Packet p{};
  std::size_t n = 0;
  EXPECT_EQ(port.dequeue(gen, &p, 1, &n, 0), DequeueResult::invalid);
}

TEST(CompletionPortTest, AReopenedSlotDoesNotAnswerToTheOldGeneration) {
  Port port;
  const auto old_gen = port.open();
  port.close(old_gen);
  const auto new_gen = port.open();
  EXPECT_NE(old_gen, new_gen);
  EXPECT_FALSE(port.is_open(old_gen));
  EXPECT_FALSE(port.post(old_gen, packet_with_key(1)));
  EXPECT_TRUE(port.post(new_gen, packet_with_key(2)));
}

TEST(CompletionPortTest, AWokenBatchWaiterAlsoTakesWhatQueuedBehindItsPacket) {
  Port port;
  const auto gen = port.open();
  std::size_t taken = 0;
  std::thread waiter([&] {
    Packet out[4];
    EXPECT_EQ(port.dequeue(gen, out, 4, &taken, INFINITE), DequeueResult::got);
  });
  wait_for_waiters(port, 1);
  port.post(gen, packet_with_key(1));
  waiter.join();
  EXPECT_EQ(taken, 1u);
}

}  // namespace
}  // namespace iocpsim::iocp::detail
