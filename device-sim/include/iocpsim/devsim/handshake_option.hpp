// The `handshake` option shared by the steps that stop accepting (never_accept, accept_after):
// whether the kernel still completes the peer's TCP handshake into the backlog, or completes none.
#pragma once

#include "iocpsim/devsim/action.hpp"
#include "iocpsim/devsim/platform_limits.hpp"
#include "iocpsim/devsim/step_registry.hpp"

namespace iocpsim::devsim {

inline OptionDoc handshake_option_doc() {
  return {"handshake", form::choice({"complete", "withheld"}), "complete",
          "complete: the kernel completes the peer's connect into the backlog; withheld: the accept "
          "queue is kept full so the peer's SYNs go unanswered and its connect stays in progress "
          "(Linux only)"};
}

// Reads `handshake` and gives the listen mode that carries it out. "withheld" is refused, naming the
// option, where the real transport cannot do it (platform_limits.hpp: the loader's scope records
// it instead).
inline ListenMode read_handshake_option(JsonReader& reader) {
  const auto handshake = reader.get_choice("handshake", "complete", {"complete", "withheld"});
  if (handshake == "complete") return ListenMode::holding;
  if (!handshake_withholding_supported()) {
    unsupported_here(reader.path_of("handshake"),
                     "\"withheld\" is not supported on this platform: it needs a kernel that drops SYNs to a "
                     "listener whose accept queue is full (Linux); Windows answers them with RST. Use \"complete\"");
  }
  return ListenMode::withholding;
}

}  // namespace iocpsim::devsim
