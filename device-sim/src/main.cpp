// device-sim: serves scripted devices on TCP ports until interrupted (or, with --exit-when-done,
// until every script has ended). Exit codes are the project's (iocpsim/program.hpp): 0 ok, 1 a
// script step failed, 2 bad usage or an invalid script file, 4 a port could not be bound.
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include "iocpsim/devsim/asio_device.hpp"
#include "iocpsim/devsim/record.hpp"
#include "iocpsim/devsim/spec.hpp"
#include "iocpsim/devsim/step_registry.hpp"
#include "iocpsim/json_diag/document.hpp"
#include "iocpsim/program.hpp"
#ifdef IOCPSIM_CONTROL_API
#include "control_server.hpp"
#endif

namespace devsim = iocpsim::devsim;

namespace {

using iocpsim::program::kBadInput;
using iocpsim::program::kOk;
constexpr int kScriptFailed = iocpsim::program::kFailed;
constexpr int kCannotBind = iocpsim::program::kEnvironment;

struct Options {
  std::string script_path;
  std::string script_positional;
  std::vector<std::string> listen;
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::string log_path = "-";
  bool exit_when_done = false;
  bool check_only = false;
  bool list_steps = false;
  std::string control;  // "" or [HOST:]PORT of the control API
};

struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<devsim::DeviceSpec> load_specs(const std::string& path) {
  nlohmann::json document;
  try {
    document = iocpsim::json_diag::parse_document(iocpsim::json_diag::read_document_file(path), path);
  } catch (const iocpsim::json_diag::DocumentError& e) {
    throw InputError(e.what());
  }
  try {
    return devsim::parse_devices(document);
  } catch (const devsim::SpecError& e) {
    throw InputError(path + ": " + e.what());
  }
}

asio::ip::tcp::endpoint parse_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  const auto fail = [&] {
    return InputError("listen address \"" + text + "\": expected IP:PORT, e.g. 127.0.0.1:9000");
  };
  if (colon == std::string::npos) throw fail();
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  asio::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  std::size_t used = 0;
  int port = -1;
  try {
    port = std::stoi(text.substr(colon + 1), &used);
  } catch (const std::exception&) {
  }
  if (ec || port < 0 || port > 65535 || used != text.size() - colon - 1) throw fail();
  return {address, static_cast<unsigned short>(port)};
}

// The i-th --listen goes to the i-th device; a device without one uses its spec's "listen".
std::vector<asio::ip::tcp::endpoint> endpoints_for(const std::vector<devsim::DeviceSpec>& specs, const Options& o) {
  if (o.listen.size() > specs.size()) {
    throw InputError(std::to_string(o.listen.size()) + " --listen addresses for " + std::to_string(specs.size()) +
                     " device(s)");
  }
  std::vector<asio::ip::tcp::endpoint> out;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (i < o.listen.size()) {
      out.push_back(parse_endpoint(o.listen[i]));
    } else if (specs[i].listen) {
      out.push_back(parse_endpoint(*specs[i].listen));
    } else {
      throw InputError("device \"" + specs[i].name +
                       "\" has no listen address: give --listen or \"listen\" in its spec");
    }
  }
  return out;
}

class JsonLinesLog {
 public:
  explicit JsonLinesLog(const std::string& path) {
    if (path != "-") {
      file_.open(path, std::ios::app);
      if (!file_) throw InputError(path + ": cannot open the log file");
    }
  }
  void write(const nlohmann::json& line) {
    // Text from the peer (a host_id, say) need not be UTF-8; replace what is not.
    out() << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    out().flush();
  }

 private:
  std::ostream& out() { return file_.is_open() ? static_cast<std::ostream&>(file_) : std::cout; }
  std::ofstream file_;
};

int run(const Options& o, const std::vector<devsim::DeviceSpec>& specs, JsonLinesLog& log) {
  const auto endpoints = endpoints_for(specs, o);
  asio::io_context io;
  devsim::SteadyClock clock;
  const auto seed = o.seed_given ? o.seed : std::random_device{}();
  log.write({{"t_us", 0}, {"event", "run_started"}, {"seed", seed}, {"devices", specs.size()}});
  std::vector<std::unique_ptr<devsim::AsioDevice>> devices;
  const auto all_idle = [&] {
    for (const auto& d : devices) {
      if (!d->idle()) return false;
    }
    return true;
  };
#ifdef IOCPSIM_CONTROL_API
  devsim::DeviceLogs recent;  // what GET /devices/NAME/log serves
#endif
  for (std::size_t i = 0; i < specs.size(); ++i) {
    devices.push_back(std::make_unique<devsim::AsioDevice>(io, specs[i], clock, seed + i, [&](const nlohmann::json& e) {
      log.write(e);
#ifdef IOCPSIM_CONTROL_API
      if (!o.control.empty()) recent.add(e.value("device", ""), e);
#endif
    }));
    if (o.exit_when_done)
      devices.back()->on_idle([&] {
        if (all_idle()) io.stop();
      });
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    try {
      devices[i]->start(endpoints[i]);
    } catch (const std::system_error& e) {
      std::cerr << "device-sim: cannot listen on " << endpoints[i] << " for \"" << specs[i].name << "\": " << e.what()
                << '\n';
      return kCannotBind;
    }
  }
#ifdef IOCPSIM_CONTROL_API
  std::unique_ptr<devsim::ControlServer> control;
  if (!o.control.empty()) {
    const auto at = parse_endpoint(o.control.find(':') == std::string::npos ? "127.0.0.1:" + o.control : o.control);
    control = std::make_unique<devsim::ControlServer>(io, devices, recent);
    try {
      const std::uint16_t port = control->start(at.address().to_string(), at.port());
      log.write({{"t_us", clock.now().count()},
                 {"event", "control_listening"},
                 {"address", at.address().to_string()},
                 {"port", port}});
    } catch (const std::runtime_error& e) {
      std::cerr << "device-sim: --control: " << e.what() << '\n';
      return kCannotBind;
    }
  }
#else
  if (!o.control.empty()) {
    std::cerr << "device-sim: --control: this build has no control API (it needs cpp-httplib)\n";
    return kBadInput;
  }
#endif
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code& ec, int) {
    if (!ec) io.stop();
  });
  io.run();
#ifdef IOCPSIM_CONTROL_API
  if (control) control->stop();  // before the devices go: no request reaches them any more
#endif
  int code = kOk;
  for (const auto& d : devices) {
    if (d->device().script_failed()) code = kScriptFailed;
    log.write({{"t_us", clock.now().count()},
               {"device", d->device().name()},
               {"event", "device_summary"},
               {"script", d->device().script_failed() ? "failed"
                          : d->device().script_done() ? "finished"
                                                      : "unfinished"},
               {"failure", d->device().failure()},
               {"record", d->record().to_json()}});
  }
  log.write({{"t_us", clock.now().count()}, {"event", "run_finished"}, {"exit_code", code}, {"seed", seed}});
  if (code == kScriptFailed) {
    std::cerr << "device-sim: a script step failed (see step_failed in the log); the run used --seed " << seed
              << ", which replays its random choices\n";
  }
  return code;
}

void define_options(CLI::App& app, Options& o) {
  app.add_option("--script,-s", o.script_path,
                 "JSON file: one device spec, an array of them, or a scenario with \"devices\"");
  app.add_option("script", o.script_positional, "the same as --script");
  app.add_option("--listen,-l", o.listen,
                 "IP:PORT for a device, once per device in file order (port 0 picks a free port); "
                 "overrides the spec's \"listen\"")
      ->allow_extra_args(false);  // one address per --listen, so a script file may follow it
  app.add_option("--seed", o.seed, "seed for every random choice (default: a fresh one, logged)");
  app.add_option("--log", o.log_path, "where the JSON-lines log goes; - is stdout")->capture_default_str();
  app.add_flag("--exit-when-done", o.exit_when_done,
               "exit once every device's script has ended and its connection is closed");
  app.add_flag("--check", o.check_only, "only validate the script file, then exit");
  app.add_flag("--list-steps", o.list_steps, "print the step catalogue (Markdown) and exit");
  app.add_option("--control", o.control,
                 "serve the control API (HTTP, JSON) on [HOST:]PORT, 127.0.0.1 unless a host is given; port 0 "
                 "picks one (logged as control_listening). See device-sim/README.md, \"The control API\"");
  app.footer(
      "Exit codes: 0 ok (interrupted, or every script finished), 1 a script step failed, "
      "2 bad usage or invalid script file, 4 a port could not be bound.\n"
      "Example: device-sim --listen 127.0.0.1:9000 --script device.json");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"device-sim: a scriptable simulator of the iocpsim TCP device"};
  // CLI11 reads "/path" as a Windows-style option on Windows; script paths must stay positional.
  app.allow_windows_style_options(false);
  app.set_version_flag("--version", iocpsim::program::version_line("device-sim"));
  Options o;
  define_options(app, o);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kOk : kBadInput;
  }
  o.seed_given = app.count("--seed") > 0;
  if (o.script_path.empty()) o.script_path = o.script_positional;
  if (o.list_steps) {
    std::cout << devsim::StepRegistry::global().catalogue_markdown();
    return kOk;
  }
  if (o.script_path.empty()) {
    std::cerr << "device-sim: --script FILE is required (see --help)\n";
    return kBadInput;
  }
  try {
    const auto specs = load_specs(o.script_path);
    if (o.check_only) {
      std::cout << o.script_path << ": " << specs.size() << " device(s), valid\n";
      return kOk;
    }
    JsonLinesLog log(o.log_path);
    return run(o, specs, log);
  } catch (const InputError& e) {
    std::cerr << "device-sim: " << e.what() << '\n';
    return kBadInput;
  }
}
