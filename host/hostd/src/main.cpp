// hostd: runs the engine from a JSON configuration file, in the console, until SIGINT/SIGTERM
// (Ctrl-C on Windows) starts the drain.
//
//   hostd <config.json>            run
//   hostd --check <config.json>    validate the file and exit
//   hostd --service <config.json>  run as a Windows service (service.hpp)
//   hostd --help | --version
// Exit codes are the project's (iocpsim/program.hpp): 0 a clean stop, 1 leaked contexts or an
// engine that did not start, 2 bad usage or an invalid config, 4 the log cannot be opened.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "config.hpp"
#include "iocpsim/engine/engine.hpp"
#include "iocpsim/iocp/io_api_backend.hpp"
#include "iocpsim/program.hpp"
#include "service.hpp"
#include "stop_request.hpp"

using namespace iocpsim;

namespace {

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
  if (!sink) return program::kEnvironment;
  auto io = iocp::make_default_io_api();
  iocp::SteadyClock clock;
  engine::EventLog log;  // before the engine: destroyed after it, flushing the last lines
  log.add_sink(sink);
  engine::Engine eng(*io, clock, log, config.engine);
  if (!eng.start()) return program::kFailed;
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
  return r.leaked_op_contexts == 0 && r.leaked_connection_contexts == 0 ? program::kOk : program::kFailed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hostd: runs the iocpsim host engine from a JSON configuration file until SIGINT or SIGTERM "
      "(Ctrl-C) drains it"};
  // A config path such as "/etc/hostd.json" is a path, not a Windows-style option.
  app.allow_windows_style_options(false);
  app.set_version_flag("--version", program::version_line("hostd"));
  std::string path;
  bool check_only = false;
  bool service = false;
  app.add_option("config", path, "The configuration file (host/hostd/README.md)")->required();
  CLI::Option* check_opt = app.add_flag("--check", check_only, "Validate the file, print what it holds, run nothing");
  app.add_flag("--service", service, "Run under the Windows Service Control Manager")->excludes(check_opt);
  app.footer(
      "Exit codes: 0 stopped clean, 1 leaked contexts or the engine did not start, 2 bad usage or an "
      "invalid config, 4 the log cannot be opened.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? program::kOk : program::kBadInput;
  }
  hostd::prepare_stop_request();
  const hostd::ConfigResult loaded = hostd::load_config(path);
  for (const std::string& e : loaded.errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!loaded.ok()) return program::kBadInput;
  if (check_only) {
    std::fprintf(stderr, "%s: ok (%zu devices)\n", path.c_str(), loaded.config.devices.size());
    return program::kOk;
  }
  if (service) {
    const int code = hostd::run_as_service([&] { return run(loaded.config); });
    return code < 0 ? program::kFailed : code;
  }
  return run(loaded.config);
}
