// libFuzzer target: the engine's protocol session (host/engine/src/protocol_session.hpp) with the
// real decoder, driven by a tape (session_tape.hpp) of device bytes split anywhere, time, short
// sends and commands. After every instruction:
//   - nothing throws (an exception that escapes is a crash here);
//   - every event is one of the catalogue's, with only its fields;
//   - a close is named: the last event before Verdict::close is a closing event;
//   - the send queue stays within send_queue_max_bytes, commands within commands_in_flight_max;
//   - after the deadlines ran without a close, the next one is in the future;
// and at the end, the rate limit held for every limited event. A close is followed by a new
// connection on the same session, as the engine reconnects.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "session_pair.hpp"
#include "session_tape.hpp"

namespace {

using namespace iocpsim::engine;
using namespace iocpsim::engine::testing;
using detail::Verdict;

[[noreturn]] void violated(const std::string& what) {
  std::fprintf(stderr, "session invariant violated: %s\n", what.c_str());
  std::abort();
}

const DeviceConfig& fuzz_config() {
  static const DeviceConfig c = [] {
    DeviceConfig d;
    d.send_queue_max_bytes = 4096;  // small: queue-full paths are reached
    d.commands_in_flight_max = 4;
    d.heartbeat_interval_ms = 200;
    d.heartbeat_timeout_ms = 600;
    d.handshake_timeout_ms = 1'000;
    d.stall_timeout_ms = 2'000;
    d.send_stall_timeout_ms = 1'500;
    return d;
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const DeviceConfig& config = fuzz_config();
  static const EngineOptions options;
  detail::ProtocolSession session(config, options);
  detail::SendQueue queue(config.send_queue_max_bytes);
  RecordingDriver driver;
  std::int64_t now = 0;
  session.on_connected(now, queue, driver);

  const auto after = [&](Verdict v, const char* what) {
    if (v == Verdict::close) {
      if (driver.events.empty() || !is_closing_event(driver.events.back().name)) {
        violated(std::string(what) + " closed without a closing event");
      }
      session.report_suppressed(driver);
      session.on_closed(CommandOutcome::connection_lost, driver);
      queue = detail::SendQueue(config.send_queue_max_bytes);
      session.on_connected(now, queue, driver);
    }
  };

  std::size_t checked = 0;
  for (std::size_t i = 0; i < size;) {
    const std::uint8_t op = data[i++];
    driver.now_ms = now;
    if (op < kTapeTime) {
      const std::size_t n = std::min<std::size_t>(op + 1u, size - i);
      after(session.on_bytes(now, iocpsim::protocol::Bytes(data + i, n), driver), "on_bytes");
      i += n;
    } else if (op < kTapeShortSend) {
      now += (op - kTapeTime) * 10;
      driver.now_ms = now;
      const Verdict v = session.on_time(now, false, driver);
      if (v == Verdict::carry_on && session.next_deadline_ms() <= now)
        violated("a deadline that has come is still armed");
      after(v, "on_time");
    } else if (op < kTapeCommand || op >= kTapeSendAll) {
      const auto chunk = queue.next_chunk();
      const std::size_t n =
          op >= kTapeSendAll ? chunk.size() : std::min<std::size_t>(chunk.size(), (op - kTapeShortSend) * 64u + 1u);
      queue.sent(n);
      session.on_sent(now, n, queue.empty());
    } else {
      CommandCallback none;
      const std::uint8_t payload[3] = {1, 2, 3};
      session.submit_command(now, 1, payload, (op - kTapeCommand) * 50u, none, driver);
    }
    if (queue.bytes() > config.send_queue_max_bytes) violated("the send queue grew past its bound");
    if (session.commands_pending() > config.commands_in_flight_max) violated("more commands pending than allowed");
    if (const std::string p = catalogue_problem(driver.events, checked); !p.empty()) violated(p);
    checked = driver.events.size();
  }
  if (const std::string p = rate_limit_problem(driver.events, options); !p.empty()) violated(p);
  return 0;
}
