// The emulated backend as the conformance suite sees it (every platform builds it).
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "iocpsim/iocp/emulated_io_api.hpp"
#include "wine_detect.hpp"

namespace iocpsim::iocp::testing {

// The leak check every test ends with: no open handle, no pending op, no queued packet.
inline void expect_none_outstanding(const Outstanding& left) {
  EXPECT_EQ(left.open_ports, 0u);
  EXPECT_EQ(left.open_sockets, 0u);
  EXPECT_EQ(left.pending_ops, 0u);
  EXPECT_EQ(left.queued_packets, 0u);
}

struct EmulatedBackend {
  static std::unique_ptr<IoApi> make() { return std::make_unique<EmulatedIoApi>(); }

  static void expect_nothing_outstanding(IoApi& io) {
    expect_none_outstanding(static_cast<EmulatedIoApi&>(io).outstanding());
  }

  // The emulation's completion port is its own, so Wine's port divergences never apply to it.
  static bool under_wine() { return false; }
  // But its sockets are the host's: under Wine, Wine's Winsock divergences do.
  static bool emulated_under_wine() { return running_under_wine(); }
};

}  // namespace iocpsim::iocp::testing
