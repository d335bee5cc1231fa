// One device: configuration, state, the connection-level deadlines, its protocol session
// (protocol_session.hpp) and its current connection. Guarded by `mutex`; every handler for this device runs
// with it held, which is what serialises one connection's completions across workers (R15: a
// completion dequeued before the issuing call returned waits here for that call to finish).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "iocpsim/engine/engine.hpp"
#include "iocpsim/iocp/win32.hpp"
#include "iocpsim/world/sync.hpp"
#include "outbox.hpp"
#include "protocol_session.hpp"

namespace iocpsim::engine::detail {

struct Connection;

struct Device {
  Device(DeviceConfig c, const EngineOptions& options, OutboxPool& pool)
      : config(std::move(c)), session(config, options), outbox(pool, config.name), delivering(pool, config.name) {}

  const DeviceConfig config;
  ProtocolSession session;  // the protocol over the current connection
  sockaddr_in address{};
  world::Mutex mutex;

  SessionState state = SessionState::backoff;
  Connection* conn = nullptr;            // current connection; older ones may still be draining
  std::vector<Connection*> connections;  // every one not yet freed, the current one included
  bool removed = false;
  std::uint32_t failed_attempts = 0;
  std::uint32_t generations = 0;

  // Deadlines on the engine clock; kNever when not armed.
  std::int64_t reconnect_at_ms = kNever;
  std::int64_t connect_deadline_ms = kNever;
  std::int64_t drain_deadline_ms = kNever;
  std::int64_t session_ready_ms = kNever;  // when the current connection's handshake completed
  std::int64_t armed_ms = kNever;          // earliest deadline already in the timer queue

  Outbox outbox;          // callbacks queued for the application, in decision order
  Outbox delivering;      // what the draining thread is delivering now (swapped with `outbox`)
  bool draining = false;  // a thread is delivering (see Engine::Impl::with_device)
};

}  // namespace iocpsim::engine::detail
