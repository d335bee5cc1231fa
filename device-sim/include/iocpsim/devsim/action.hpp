// What the device asks its transport to do. The model and the script produce these; a transport
// (asio TCP, or a simulated network) carries them out in order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace iocpsim::devsim {

struct SendBytes {
  std::vector<std::uint8_t> bytes;
};

enum class ConnectionOp : std::uint8_t {
  close_graceful,  // FIN after everything queued has been written, then close
  shutdown_write,  // FIN, keep reading (half-close)
  reset,           // abortive close: SO_LINGER 0, the peer sees RST
  pause_reading,   // stop reading; the peer's sends back up once the buffers fill
  resume_reading,
};
const char* to_string(ConnectionOp op) noexcept;

using Action = std::variant<SendBytes, ConnectionOp>;

// How the device's listening port treats connection attempts.
enum class ListenMode : std::uint8_t {
  accepting,    // listening and accepting (one connection at a time)
  holding,      // listening, but not accepting: the kernel completes handshakes into the backlog
  withholding,  // listening, not accepting, and the kernel completes no handshake: the peer's connect
                // stays in progress, its SYNs unanswered (see handshake_withholding_supported())
  refusing,     // bound but not listening: connection attempts get RST (ECONNREFUSED)
};
const char* to_string(ListenMode mode) noexcept;

// Whether this platform's TCP transport can carry out ListenMode::withholding. It relies on Linux
// dropping SYNs to a listener whose accept queue is full; Windows answers them with RST instead.
bool handshake_withholding_supported() noexcept;

// Why this process's TCP transport cannot count the connection attempts a refusing port turns away (refuse_connections
// with `count`), or nullopt when it can: it needs a raw socket that receives TCP segments (Linux, CAP_NET_RAW).
std::optional<std::string> refusal_counting_unavailable();

}  // namespace iocpsim::devsim
