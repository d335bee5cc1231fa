// What a spec asks that this platform's real sockets cannot do (a withheld handshake on Windows,
// counted refusals without a raw socket to see SYNs). Read on its own — the device-sim program —
// such a spec is refused with UnsupportedHere. The scenario loader reads inside a
// RealWorldLimits scope instead: the limit is recorded and reading goes on as if the platform
// could, because the simulated world plays the file exactly; only a real run skips it.
#pragma once

#include <optional>
#include <string>

namespace iocpsim::devsim {

// Throws UnsupportedHere(path, why), or records it in the calling thread's RealWorldLimits scope.
void unsupported_here(const std::string& path, const std::string& why);

class RealWorldLimits {
 public:
  RealWorldLimits() noexcept;
  ~RealWorldLimits();
  RealWorldLimits(const RealWorldLimits&) = delete;
  RealWorldLimits& operator=(const RealWorldLimits&) = delete;

  // The first limit met while this scope was open: "PATH: why".
  const std::optional<std::string>& first() const noexcept { return first_; }

 private:
  friend void unsupported_here(const std::string& path, const std::string& why);
  RealWorldLimits* outer_;
  std::optional<std::string> first_;
};

}  // namespace iocpsim::devsim
