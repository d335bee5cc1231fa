// Uses the engine as a library: starts it on the platform's completion port with no device,
// shuts it down, and checks a frame survives the wire format both ways. Exit 0 when all holds.
#include <cstdio>
#include <vector>

#include "iocpsim/engine/engine.hpp"
#include "iocpsim/iocp/io_api_backend.hpp"
#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace pr = iocpsim::protocol;

int main() {
  std::vector<std::uint8_t> bytes(pr::frame_size(pr::Heartbeat{42}));
  const pr::EncodeResult encoded = pr::encode(pr::Heartbeat{42}, 7, bytes);
  pr::Decoder decoder;
  const pr::DecodeResult decoded = decoder.put(bytes);
  const auto* heartbeat = std::get_if<pr::Heartbeat>(&decoded.frame.message);
  if (!encoded || decoded.status != pr::DecodeStatus::frame || decoded.frame.header.seq != 7 || !heartbeat ||
      heartbeat->nonce != 42) {
    std::puts("engine_consumer: a heartbeat did not survive encode and decode");
    return 1;
  }

  auto io = iocpsim::iocp::make_default_io_api();
  iocpsim::iocp::SteadyClock clock;
  iocpsim::engine::EventLog log;
  iocpsim::engine::Engine engine(*io, clock, log);
  if (!engine.start()) {
    std::puts("engine_consumer: the engine did not start");
    return 1;
  }
  const iocpsim::engine::ShutdownReport report = engine.shutdown();
  std::printf("engine_consumer: started and stopped (%s), leaked %zu ops and %zu connections\n",
              report.drained_politely ? "polite" : "forced", report.leaked_op_contexts,
              report.leaked_connection_contexts);
  return report.leaked_op_contexts == 0 && report.leaked_connection_contexts == 0 ? 0 : 1;
}
