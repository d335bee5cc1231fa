// hostd: runs the engine from a JSON configuration file, in the console, until SIGINT/SIGTERM
// (Ctrl-C on Windows) starts the drain.
//
//   hostd <config.json>          run
//   hostd --check <config.json>  validate the file and exit
//   hostd --service <config.json>  run as a Windows service (service.hpp)
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "config.hpp"
#include "iocpsim/engine/engine.hpp"
#include "iocpsim/iocp/io_api_backend.hpp"
#include "service.hpp"
#include "stop_request.hpp"

using namespace iocpsim;

namespace {

int usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--check | --service] <config.json>\n", argv0);
  return 2;
}

// The event log is written by a thread of its own (the workers never wait for the disk), to
// log_path, rotating at log_max_bytes, or to stderr.
std::shared_ptr<engine::EventSink> open_log(const hostd::Config& config) {
  if (config.log_path.empty()) return std::make_shared<engine::BufferedJsonLinesSink>(std::cerr);
  std::string error;
  auto file =
      engine::BufferedJsonLinesSink::open_file({config.log_path, config.log_max_bytes, config.log_keep}, &error);
  if (!file) std::fprintf(stderr, "%s\n", error.c_str());
  return file;
}

int run(const hostd::Config& config) {
  const std::shared_ptr<engine::EventSink> sink = open_log(config);
  if (!sink) return 1;
  auto io = iocp::make_default_io_api();
  iocp::SteadyClock clock;
  engine::EventLog log;  // before the engine: destroyed after it, flushing the last lines
  log.add_sink(sink);
  engine::Engine eng(*io, clock, log, config.engine);
  if (!eng.start()) return 1;
  for (const engine::DeviceConfig& d : config.devices) {
    // --check refuses what add_device() would; this says so if the two ever disagree.
    if (!eng.add_device(d)) std::fprintf(stderr, "hostd: device \"%s\" refused (device_rejected)\n", d.name.c_str());
  }
  std::fprintf(stderr, "hostd: %zu device(s), %u worker(s); Ctrl-C or SIGTERM to stop\n", config.devices.size(),
               config.engine.workers);
  const char* why = hostd::wait_for_stop_request();
  std::fprintf(stderr, "hostd: %s received, draining\n", why);
  hostd::service_draining();
  const engine::ShutdownReport r = eng.shutdown();
  std::fprintf(stderr, "hostd: stopped (%s); leaked contexts: %zu ops, %zu connections\n",
               r.drained_politely ? "polite" : "forced", r.leaked_op_contexts, r.leaked_connection_contexts);
  return r.leaked_op_contexts == 0 && r.leaked_connection_contexts == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  hostd::prepare_stop_request();
  bool check_only = false;
  bool service = false;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--check") {
      check_only = true;
    } else if (arg == "--service") {
      service = true;
    } else if (path.empty()) {
      path = arg;
    } else {
      return usage(argv[0]);
    }
  }
  if (path.empty() || (check_only && service)) return usage(argv[0]);
  const hostd::ConfigResult loaded = hostd::load_config(path);
  for (const std::string& e : loaded.errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!loaded.ok()) return 2;
  if (check_only) {
    std::fprintf(stderr, "%s: ok (%zu devices)\n", path.c_str(), loaded.config.devices.size());
    return 0;
  }
  if (service) {
    const int code = hostd::run_as_service([&] { return run(loaded.config); });
    return code < 0 ? 1 : code;
  }
  return run(loaded.config);
}
