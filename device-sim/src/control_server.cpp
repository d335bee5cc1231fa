#include "control_server.hpp"

#include <chrono>
#include <future>
#include <map>
#include <stdexcept>
#include <thread>

#include <asio/post.hpp>
#include <httplib.h>

#include "iocpsim/devsim/json_reader.hpp"
#include "iocpsim/json_diag/document.hpp"

namespace iocpsim::devsim {

void DeviceLogs::add(const std::string& device, const nlohmann::json& line) {
  Lines& l = by_device_[device];
  l.lines.push_back(line);
  if (l.lines.size() > capacity_) {
    l.lines.pop_front();
    ++l.first;
  }
}

nlohmann::json DeviceLogs::since(const std::string& device, std::uint64_t from) const {
  nlohmann::json lines = nlohmann::json::array();
  std::uint64_t first = from;
  std::uint64_t next = from;
  if (const auto it = by_device_.find(device); it != by_device_.end()) {
    const Lines& l = it->second;
    first = std::max(from, l.first);
    next = l.first + l.lines.size();
    for (std::uint64_t n = first; n < next; ++n) lines.push_back(l.lines[static_cast<std::size_t>(n - l.first)]);
  }
  return {{"lines", std::move(lines)}, {"from", first}, {"next", std::max(next, from)}};
}

namespace {

// A request that cannot be answered as asked: its HTTP status and message.
struct Refusal {
  int status;
  std::string message;
};

void reply(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", "application/json");
}

}  // namespace

struct ControlServer::Impl {
  asio::io_context& io;
  const std::vector<std::unique_ptr<AsioDevice>>& devices;
  DeviceLogs& logs;
  httplib::Server server;
  std::thread thread;

  Impl(asio::io_context& i, const std::vector<std::unique_ptr<AsioDevice>>& d, DeviceLogs& l)
      : io(i), devices(d), logs(l) {}

  // Runs `work` on the devices' thread and waits for its answer. A device-sim that is stopping
  // runs nothing more: the request is refused after a ceiling rather than left hanging.
  nlohmann::json on_devices_thread(std::function<nlohmann::json()> work) {
    auto task = std::make_shared<std::packaged_task<nlohmann::json()>>(std::move(work));
    std::future<nlohmann::json> answer = task->get_future();
    asio::post(io, [task] { (*task)(); });
    if (answer.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      throw Refusal{503, "device-sim is not running its devices (stopping?)"};
    }
    return answer.get();  // rethrows what `work` threw
  }

  AsioDevice& device(const std::string& name) const {
    for (const auto& d : devices) {
      if (d->device().name() == name) return *d;
    }
    throw Refusal{404, "no device \"" + name + "\" (GET /devices lists them)"};
  }

  static nlohmann::json body_of(const httplib::Request& req) {
    if (req.body.empty()) throw Refusal{400, "the request has no body: expected JSON"};
    try {
      return json_diag::parse_document(req.body, "request body");
    } catch (const json_diag::DocumentError& e) {
      throw Refusal{400, e.what()};
    }
  }

  // Runs a handler; its Refusal or a script's mistake becomes a JSON error with its status.
  template <class F>
  void handle(httplib::Response& res, F&& f) {
    try {
      f();
    } catch (const Refusal& r) {
      reply(res, r.status, {{"error", r.message}});
    } catch (const SpecError& e) {
      reply(res, 400, {{"error", e.what()}});
    } catch (const std::exception& e) {
      reply(res, 500, {{"error", e.what()}});
    }
  }

  void routes() {
    server.Get("/devices", [this](const httplib::Request&, httplib::Response& res) {
      handle(res, [&] {
        reply(res, 200, on_devices_thread([this] {
                nlohmann::json all = nlohmann::json::array();
                for (const auto& d : devices) all.push_back(d->describe());
                return nlohmann::json{{"devices", std::move(all)}};
              }));
      });
    });
    server.Get(R"(/devices/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      handle(res, [&] {
        const std::string name = req.matches[1];
        reply(res, 200, on_devices_thread([this, name] { return device(name).describe(); }));
      });
    });
    server.Get(R"(/devices/([^/]+)/connections)", [this](const httplib::Request& req, httplib::Response& res) {
      handle(res, [&] {
        const std::string name = req.matches[1];
        reply(res, 200, on_devices_thread([this, name] {
                const nlohmann::json d = device(name).describe();
                nlohmann::json list = nlohmann::json::array();
                if (d["connected"].get<bool>()) list.push_back(d["connection"]);
                return nlohmann::json{{"device", name}, {"connections", std::move(list)}};
              }));
      });
    });
    server.Get(R"(/devices/([^/]+)/log)", [this](const httplib::Request& req, httplib::Response& res) {
      handle(res, [&] {
        const std::string name = req.matches[1];
        std::uint64_t from = 0;
        if (req.has_param("from")) {
          const std::string text = req.get_param_value("from");
          try {
            std::size_t used = 0;
            from = std::stoull(text, &used);
            if (used != text.size()) throw std::invalid_argument(text);
          } catch (const std::exception&) {
            throw Refusal{400, "from: expected a line number (0 or more), got \"" + text + "\""};
          }
        }
        reply(res, 200, on_devices_thread([this, name, from] {
                device(name);  // 404 for a name no device has
                return logs.since(name, from);
              }));
      });
    });
    // Runs a step (or an array of steps) now, beside the script: {"step": "reset"}.
    server.Post(R"(/devices/([^/]+)/steps)", [this](const httplib::Request& req, httplib::Response& res) {
      handle(res, [&] {
        const std::string name = req.matches[1];
        const nlohmann::json steps = body_of(req);
        reply(res, 202, on_devices_thread([this, name, steps] {
                AsioDevice& d = device(name);
                d.run_now(steps, "steps");
                return nlohmann::json{{"device", name}, {"accepted", steps.is_array() ? steps.size() : 1}};
              }));
      });
    });
    // Replaces the script: it starts again from its first step, as these.
    server.Put(R"(/devices/([^/]+)/script)", [this](const httplib::Request& req, httplib::Response& res) {
      handle(res, [&] {
        const std::string name = req.matches[1];
        const nlohmann::json steps = body_of(req);
        reply(res, 200, on_devices_thread([this, name, steps] {
                AsioDevice& d = device(name);
                d.replace_script(steps, "script");
                return nlohmann::json{{"device", name}, {"steps", steps.size()}};
              }));
      });
    });
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      reply(res, res.status,
            {{"error", "no such resource: " + req.method + " " + req.path +
                           " (GET /devices, GET|POST|PUT /devices/NAME[/connections|/log|/steps|/script])"}});
    });
  }
};

ControlServer::ControlServer(asio::io_context& io, const std::vector<std::unique_ptr<AsioDevice>>& devices,
                             DeviceLogs& logs)
    : impl_(std::make_unique<Impl>(io, devices, logs)) {
  impl_->routes();
}

ControlServer::~ControlServer() { stop(); }

std::uint16_t ControlServer::start(const std::string& host, std::uint16_t port) {
  int bound = port;
  if (port == 0) {
    bound = impl_->server.bind_to_any_port(host);
  } else if (!impl_->server.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  return static_cast<std::uint16_t>(bound);
}

void ControlServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace iocpsim::devsim
