// How the console asks hostd to stop: SIGINT/SIGTERM on POSIX, Ctrl-C/Ctrl-Break/close on
// Windows. One implementation file per platform, chosen by CMake.
#pragma once

namespace iocpsim::hostd {

// Call first in main(), before any thread starts, so that the request reaches the waiter.
void prepare_stop_request();
// Blocks until a stop is requested; returns the signal's name.
const char* wait_for_stop_request();
// Requests the stop from inside the process (the Windows service's STOP control); `name` is
// what wait_for_stop_request() returns (on POSIX it becomes a SIGTERM).
void request_stop(const char* name);

}  // namespace iocpsim::hostd
