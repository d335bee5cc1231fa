// hostd as a Windows service: `hostd --service <config.json>`, started by the Service Control
// Manager (e.g. after `sc create iocpsim-hostd binPath= "C:\...\hostd.exe --service C:\...\hostd.json"`).
// The SCM's STOP and SHUTDOWN controls start the same drain as Ctrl-C does in console mode; the
// service reports STOP_PENDING while it drains and STOPPED (with hostd's exit code) at the end.
#pragma once

#include <functional>

namespace iocpsim::hostd {

// Runs `body` as the service's work and returns its exit code once the SCM stopped the service.
// Returns -1 (with a message on stderr) when the process was not started by the SCM, or on a
// platform without services.
int run_as_service(const std::function<int()>& body);

// Called by the body once it starts draining, and when it is done: the SCM sees the progress.
void service_draining();

}  // namespace iocpsim::hostd
