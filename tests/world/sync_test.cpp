// The primitives outside any simulated world behave as the standard ones they wrap.
#include "iocpsim/world/sync.hpp"

#include <gtest/gtest.h>

#include <atomic>

#ifdef _WIN32
#include <windows.h>
#endif

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

#ifdef _WIN32
// The caller reads its last error after the Win32 call that failed; the locks and condition
// variables between (the fault shim's bookkeeping takes its lock there) must leave it as it was.
// Two threads contend for one lock and hand a turn back and forth through the condition
// variable, each checking after every lock, unlock, wait and notify that its own value is still
// there. Without the primitives keeping it, about 5 000 of the 16 000 checks failed under Wine.
TEST(RealWorldSyncTest, LocksAndWaitsLeaveTheThreadsLastErrorAsItWas) {
  Mutex m;
  CondVar cv;
  int turn = 0;
  std::atomic<int> changed{0};
  const auto play = [&](int me, DWORD mine) {
    for (int round = 0; round < 2000; ++round) {
      ::SetLastError(mine);
      std::unique_lock lock(m);
      if (::GetLastError() != mine) ++changed;
      cv.wait(lock, [&] { return turn == me; });
      if (::GetLastError() != mine) ++changed;
      turn = 1 - me;
      cv.notify_all();
      if (::GetLastError() != mine) ++changed;
      lock.unlock();
      if (::GetLastError() != mine) ++changed;
    }
  };
  Thread other("other", [&] { play(1, ERROR_IO_PENDING); });
  play(0, WAIT_TIMEOUT);
  other.join();
  EXPECT_EQ(changed.load(), 0);
}
#endif

TEST(RealWorldSyncTest, AThreadJoinsWhenItGoes) {
  std::atomic<bool> ran{false};
  {
    Thread t("t", [&] { ran = true; });
  }
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace iocpsim::world
