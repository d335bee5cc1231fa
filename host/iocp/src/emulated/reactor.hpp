// What the emulation needs from a readiness reactor. epoll_reactor.cpp is the Linux one; a
// WSAPoll reactor would implement the same class in its own file.
#pragma once

#include <cstdint>
#include <memory>

namespace iocpsim::iocp::detail {

// Readiness bits: what a descriptor is armed for, and what the handler is told.
enum ReadyBits : std::uint32_t {
  kReadable = 1u << 0,
  kWritable = 1u << 1,
  kErrorOrHangup = 1u << 2,
};

class Reactor {
 public:
  // Called on the reactor thread for each ready descriptor, with the token given to watch().
  using Handler = void (*)(void* context, std::uint64_t token, std::uint32_t ready_bits);

  virtual ~Reactor() = default;
  // Registers fd, armed for nothing yet. Returns 0 or an errno.
  virtual int watch(int fd, std::uint64_t token) = 0;
  // Arms fd for one report: the next time it is ready for any of interest_bits (or has an
  // error) the handler runs once, and fd stays silent until armed again. Arming checks the
  // current state, so readiness that came before the call is not lost.
  virtual void arm(int fd, std::uint64_t token, std::uint32_t interest_bits) = 0;
  virtual void unwatch(int fd) = 0;
};

// Starts the reactor's thread; the destructor stops and joins it.
std::unique_ptr<Reactor> make_epoll_reactor(Reactor::Handler handler, void* context);

}  // namespace iocpsim::iocp::detail
