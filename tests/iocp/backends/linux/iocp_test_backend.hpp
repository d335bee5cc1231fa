// The IoApi backends the conformance suite runs on in this build: the emulation.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "iocpsim/iocp/emulated_io_api.hpp"

namespace iocpsim::iocp::testing {

struct EmulatedBackend {
  static std::unique_ptr<IoApi> make() { return std::make_unique<EmulatedIoApi>(); }

  // The leak check every test ends with: no open handle, no pending op, no queued packet.
  static void expect_nothing_outstanding(IoApi& io) {
    const Outstanding left = static_cast<EmulatedIoApi&>(io).outstanding();
    EXPECT_EQ(left.open_ports, 0u);
    EXPECT_EQ(left.open_sockets, 0u);
    EXPECT_EQ(left.pending_ops, 0u);
    EXPECT_EQ(left.queued_packets, 0u);
  }

  static bool under_wine() { return false; }
};

using IocpTestBackends = ::testing::Types<EmulatedBackend>;

}  // namespace iocpsim::iocp::testing
