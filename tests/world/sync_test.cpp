// The primitives outside any simulated world behave as the standard ones they wrap.
#include "iocpsim/world/sync.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace iocpsim::world {
namespace {

using namespace std::chrono_literals;

TEST(RealWorldSyncTest, AMutexAndCondVarHandOverBetweenRealThreads) {
  EXPECT_EQ(current_scheduler(), nullptr);
  Mutex m;
  CondVar cv;
  int stage = 0;
  Thread t("worker", [&] {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return stage == 1; });
    stage = 2;
    cv.notify_all();
  });
  {
    std::unique_lock lock(m);
    stage = 1;
    cv.notify_all();
    EXPECT_TRUE(cv.wait_for(lock, 3600s, [&] { return stage == 2; }));
  }
  t.join();
  EXPECT_FALSE(t.joinable());
}

TEST(RealWorldSyncTest, ATimedWaitNobodyEndsTimesOut) {
  Mutex m;
  CondVar cv;
  std::unique_lock lock(m);
  EXPECT_FALSE(cv.wait_for(lock, 1ms, [] { return false; }));
  EXPECT_TRUE(lock.owns_lock());
}

TEST(RealWorldSyncTest, AThreadJoinsWhenItGoes) {
  std::atomic<bool> ran{false};
  {
    Thread t("t", [&] { ran = true; });
  }
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace iocpsim::world
