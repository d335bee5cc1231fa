// The simulated backend as the conformance suite sees it: each test's thread is adopted by a
// simulated world of its own for the test's length, so the test's blocking calls (accept, recv
// on the peer side, waits on the port) wait in virtual time on the in-memory network.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "emulated_backend.hpp"
#include "iocpsim/iocp/sim_io_api.hpp"
#include "iocpsim/world/scheduler.hpp"

namespace iocpsim::iocp::testing {

struct SimBackend {
  static std::unique_ptr<IoApi> make() {
    world() = std::make_unique<world::Scheduler>(world::ScheduleOptions{});
    world()->adopt("test");
    return std::make_unique<SimIoApi>(*world());
  }

  // The leak check every test ends with; then the test's thread leaves its world.
  static void expect_nothing_outstanding(IoApi& io) {
    expect_none_outstanding(static_cast<SimIoApi&>(io).outstanding());
    const world::ScheduleReport r = world()->release();
    EXPECT_EQ(r.failure, "");
  }

  static bool under_wine() { return false; }
  static bool emulated_under_wine() { return false; }

 private:
  static std::unique_ptr<world::Scheduler>& world() {
    static std::unique_ptr<world::Scheduler> w;
    return w;
  }
};

}  // namespace iocpsim::iocp::testing
