// The engine under test: the platform's IoApi behind the fault-injection shim (rules force the
// rows of IOCP-SEMANTICS.md; its counts and waits observe the calls), a ManualClock, an
// in-memory event sink and a recorder of callbacks. Tests wait for events, never for time.
#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "iocpsim/engine/engine.hpp"
#include "iocpsim/iocp/emulated_io_api.hpp"
#include "iocpsim/iocp/fault_injecting_io_api.hpp"
#include "iocpsim/iocp/io_api_backend.hpp"
#include "platform.hpp"
#include "test_device.hpp"

namespace iocpsim::engine::testing {

using iocp::Call;
using iocp::fault;
using iocp::Outcome;

// "d0", "d1" ...: built by appending, which GCC 12's -Wrestrict does not misread in
// optimised builds the way it misreads "d" + std::to_string(i).
inline std::string numbered(const char* prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

struct Delivered {
  std::uint16_t channel;
  std::uint32_t seq;
  std::size_t bytes;
  std::vector<std::uint8_t> samples;  // a copy, made during the callback
};

class Recorder {
 public:
  void telemetry(const std::string& device, const TelemetrySample& s) {
    std::lock_guard lock(mutex_);
    telemetry_[device].push_back({s.channel, s.channel_seq, s.samples.size(), {s.samples.begin(), s.samples.end()}});
    changed_.notify_all();
  }
  bool wait_telemetry(const std::string& device, std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, std::chrono::system_clock::now() + std::chrono::seconds(20),
                               [&] { return telemetry_[device].size() >= count; });
  }
  std::vector<Delivered> telemetry_of(const std::string& device) {
    std::lock_guard lock(mutex_);
    return telemetry_[device];
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::vector<Delivered>> telemetry_;
};

class EngineHarness : public ::testing::Test {
 public:
  std::size_t sink_count(const std::string& event, const std::string& dev) const { return sink->count(event, dev); }

 protected:
  void start(EngineOptions options = {}) {
    options.shutdown_timeout_ms = 2'000;
    log.add_sink(sink);
    Callbacks cb;
    cb.on_telemetry = [this](const std::string& d, const TelemetrySample& s) { recorder.telemetry(d, s); };
    cb.on_socket = [this](const std::string& d, SOCKET s) { name_socket(d, s); };
    workers = options.workers;
    engine = std::make_unique<Engine>(io, clock, log, options, std::move(cb));
    ASSERT_TRUE(engine->start());
  }

  DeviceConfig device(const std::string& name, const TestDevice& peer) {
    DeviceConfig c;
    c.name = name;
    c.port = peer.port();
    c.backoff_jitter = 0;  // exact delays in assertions; jitter has its own test
    return c;
  }

  // A device whose port has nobody listening (it was bound once, then closed): connects are
  // refused (R12).
  DeviceConfig refused_device(const std::string& name) {
    DeviceConfig c;
    c.name = name;
    {
      TestDevice gone;
      c.port = gone.port();
    }
    c.backoff_jitter = 0;
    return c;
  }

  void advance(std::int64_t ms) {
    clock.advance(std::chrono::milliseconds(ms));
    engine->wake();
  }

  bool wait(const std::string& event, const std::string& dev, std::size_t count = 1) {
    return sink->wait_for(event, dev, count);
  }

  // Tags the device's new socket for the shim's rules (`.tag(device)`), and remembers it.
  void name_socket(const std::string& device, SOCKET s) {
    io.tag_socket(s, device);
    std::lock_guard lock(sockets_mutex_);
    sockets_[device] = s;
  }

  // The device's latest socket (INVALID_SOCKET if it has had none).
  SOCKET socket_of(const std::string& device) {
    std::lock_guard lock(sockets_mutex_);
    const auto it = sockets_.find(device);
    return it == sockets_.end() ? INVALID_SOCKET : it->second;
  }

  // The fields of every event `name` of `dev`, in order.
  std::vector<nlohmann::json> all_fields(const std::string& name, const std::string& dev) const {
    std::vector<nlohmann::json> out;
    for (const Event& e : sink->events()) {
      if (e.name == name && e.device == dev) out.push_back(e.fields);
    }
    return out;
  }

  // The fields of the first event `name` of `dev` (null if there is none).
  nlohmann::json first(const std::string& name, const std::string& dev) const {
    for (const Event& e : sink->events()) {
      if (e.name == name && e.device == dev) return e.fields;
    }
    return {};
  }

  // Adds a device and completes its handshake with `peer`.
  // Returns once the engine is idle: the receive after HELLO_ACK is pending and no wake-up is
  // in flight, so what a test does next meets a known state.
  void connect_ready(const std::string& name, TestDevice& peer, DeviceConfig* config = nullptr) {
    const std::uint64_t receives = io.count(Call::WSARecv);
    ASSERT_TRUE(engine->add_device(config != nullptr ? *config : device(name, peer)));
    peer.handshake();
    ASSERT_TRUE(wait("session_ready", name));
    ASSERT_TRUE(io.wait_calls(Call::WSARecv, receives + 2))
        << ::testing::PrintToString(sink->names_for(name)) << " receives before: " << receives
        << ", now: " << io.count(Call::WSARecv);
    ASSERT_TRUE(io.wait_dequeued(Call::WSASend));  // the HELLO's packet may come after HELLO_ACK's
    ASSERT_TRUE(io.wait_posted_dequeued());
    // Every worker back in its dequeue: whatever those packets caused has been handled.
    ASSERT_TRUE(io.wait_batch_waiters(workers - sink->count("worker_port_closed", "")));
  }

  // Shuts down (forcing the drain bound on the manual clock) and proves nothing is left.
  void finish() {
    if (!engine) return;
    engine->begin_shutdown();
    advance(10'000);
    const ShutdownReport r = engine->wait_shutdown();
    EXPECT_EQ(r.leaked_op_contexts, 0u);
    EXPECT_EQ(r.leaked_connection_contexts, 0u);
    EXPECT_EQ(engine->live_op_contexts(), 0u);
    EXPECT_EQ(engine->live_connection_contexts(), 0u);
    const auto drained = sink->events();
    ASSERT_FALSE(drained.empty());
    EXPECT_EQ(drained.back().name, "shutdown_drained");
    EXPECT_EQ(drained.back().fields["leaked_op_contexts"], 0);
    EXPECT_EQ(drained.back().fields["leaked_connection_contexts"], 0);
    engine.reset();
  }

  // Shuts down, then proves that neither the shim nor the backend still holds anything.
  void TearDown() override {
    finish();
    EXPECT_EQ(io.outstanding(), iocp::ShimOutstanding{});
    if (const auto* emulation = dynamic_cast<const iocp::EmulatedIoApi*>(backend.get())) {
      EXPECT_EQ(emulation->outstanding(), iocp::Outstanding{});
    }
    if (HasFailure()) {
      const std::size_t total = io.journal().appended();
      std::cerr << "the shim's last calls (of " << total << "):\n";
      for (const iocp::JournalEntry& e : io.journal().entries(total > 200 ? total - 200 : 0)) {
        std::cerr << iocp::Journal::format(e) << "\n";
      }
    }
  }

  std::unique_ptr<iocp::IoApi> backend = iocp::make_default_io_api();
  iocp::ManualClock clock;
  iocp::FaultInjectingIoApi io{*backend, iocp::FaultOptions{.seed = 1, .clock = &clock}};
  EventLog log;
  std::shared_ptr<MemorySink> sink = std::make_shared<MemorySink>();
  Recorder recorder;
  std::unique_ptr<Engine> engine;
  unsigned workers = 0;

 private:
  std::mutex sockets_mutex_;
  std::map<std::string, SOCKET> sockets_;
};

}  // namespace iocpsim::engine::testing
