// Embedding the engine: connect to one or more devices, count telemetry, print device events and
// state changes, send one command per device once it is ready, then shut down cleanly.
//
//   engine_stream_telemetry <host> <port> [<port> ...] [--seconds N]
//
// The event log goes to stderr as JSON lines (host/engine/EVENTS.md).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "iocpsim/engine/engine.hpp"
#include "iocpsim/iocp/io_api_backend.hpp"

using namespace iocpsim;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <host> <port> [<port> ...] [--seconds N]\n", argv[0]);
    return 2;
  }
  int seconds = 5;
  std::vector<std::uint16_t> ports;
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--seconds" && i + 1 < argc) {
      seconds = std::atoi(argv[++i]);
    } else {
      ports.push_back(static_cast<std::uint16_t>(std::atoi(argv[i])));
    }
  }

  auto io = iocp::make_default_io_api();
  iocp::SteadyClock clock;
  engine::EventLog log;
  log.add_sink(std::make_shared<engine::JsonLinesSink>(std::cerr));

  std::atomic<std::uint64_t> samples{0};
  engine::Engine* self = nullptr;
  engine::Callbacks callbacks;
  callbacks.on_telemetry = [&](const std::string&, const engine::TelemetrySample&) { ++samples; };
  callbacks.on_device_event = [](const std::string& device, const engine::DeviceEvent& e) {
    std::printf("%s: event %u code %u \"%.*s\"\n", device.c_str(), e.event_id, e.code, static_cast<int>(e.text.size()),
                e.text.data());
  };
  callbacks.on_state = [&](const std::string& device, engine::SessionState, engine::SessionState to) {
    std::printf("%s: %s\n", device.c_str(), engine::to_string(to));
    if (to != engine::SessionState::ready || self == nullptr) return;
    // Callbacks run without engine locks held: calling back into the engine is fine.
    self->send_command(device, 1, {}, 0, [device](const engine::CommandResult& r) {
      std::printf("%s: command answered: %s\n", device.c_str(), engine::to_string(r.outcome));
    });
  };

  engine::Engine eng(*io, clock, log, {}, callbacks);
  self = &eng;
  if (!eng.start()) return 1;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    engine::DeviceConfig c;
    c.name = "device-" + std::to_string(i);
    c.host = argv[1];
    c.port = ports[i];
    eng.add_device(c);
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const engine::ShutdownReport r = eng.shutdown();
  std::printf("telemetry messages: %llu; leaked contexts: %zu ops, %zu connections\n",
              static_cast<unsigned long long>(samples.load()), r.leaked_op_contexts, r.leaked_connection_contexts);
  return r.leaked_op_contexts == 0 && r.leaked_connection_contexts == 0 ? 0 : 1;
}
