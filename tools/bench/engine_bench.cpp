// engine_bench: telemetry streaming from 1, 16 and 256 devices (64-byte samples per message)
// into the engine, and asio doing the same receive-and-parse job against the same kind of peers
// in the same run. Reports messages/s delivered to the application and CPU seconds per million.
//
// The peers run in a child process (this binary with --serve), so this process's CPU time is
// the receiving side's alone: the engine's workers and the IoApi backend, or asio's threads.
//
//   build/release/tools/bench/engine_bench [--messages N] [--threads T] [--devices D]... [--only engine|asio]
//                                          [--completion-skip never|always|if_honoured] [--rounds R]
//
// --rounds R runs the engine and asio alternately R times per device count and ends with the
// median of the R per-round ratios and their range: on a shared 2-core machine single rounds
// scatter by tens of percent, and alternating spreads any slow spell over both sides.
// --messages N is the total per run, split over the devices (default 40 000 000, about two
// seconds per side: in much shorter runs connecting and the first buffers weigh on the figures).
//
// --completion-skip sets EngineOptions::skip_completion_port_on_success (R9b; the engine's
// default, if_honoured, when absent). With R9b a receive that completes at once is handled by
// the worker that issued it, with no packet; `never` gives every receive a packet (R9).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "iocpsim/engine/engine.hpp"
#include "iocpsim/iocp/io_api_backend.hpp"
#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace {

namespace proto = iocpsim::protocol;
namespace eng = iocpsim::engine;

constexpr std::size_t kSampleBytes = 64;
constexpr std::size_t kFramesPerWrite = 256;

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

// ---------------------------------------------------------------- the peers (child process)

void write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) die("serve: send");
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Reads the host's HELLO and answers it.
void handshake(int fd) {
  proto::Decoder decoder;
  std::uint8_t buf[512];
  for (bool done = false; !done;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) die("serve: recv hello");
    proto::Bytes in(buf, static_cast<std::size_t>(n));
    while (!in.empty()) {
      const auto r = decoder.put(in);
      in = in.subspan(r.consumed);
      if (r.status == proto::DecodeStatus::frame) done = true;
      if (r.status != proto::DecodeStatus::frame) break;
    }
  }
  std::vector<std::uint8_t> out(256);
  const auto r = proto::encode(proto::HelloAck{1, 0x7, 0, "bench", "sn", "fw"}, 0, out);
  write_all(fd, out.data(), r.size);
}

void stream(const std::vector<int>& fds, std::uint32_t messages) {
  for (int fd : fds) handshake(fd);
  const std::vector<std::uint8_t> samples(kSampleBytes, 0x5A);
  std::vector<std::uint8_t> buf(kFramesPerWrite * (kSampleBytes + 64));
  std::vector<std::uint32_t> sent(fds.size(), 0);
  for (bool more = true; more;) {
    more = false;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      std::size_t at = 0;
      for (std::size_t k = 0; k < kFramesPerWrite && sent[i] < messages; ++k, ++sent[i]) {
        const auto r =
            proto::encode(proto::Telemetry{1, sent[i], sent[i], samples}, sent[i] + 1, std::span(buf).subspan(at));
        at += r.size;
      }
      if (at > 0) write_all(fds[i], buf.data(), at);
      more = more || sent[i] < messages;
    }
  }
  for (int fd : fds) {
    ::shutdown(fd, SHUT_WR);  // FIN after the data; wait for the host's close before closing
    std::uint8_t sink[4096];
    while (::recv(fd, sink, sizeof sink, 0) > 0) {
    }
    ::close(fd);
  }
}

int serve(int devices, std::uint32_t messages) {
  std::vector<int> listeners;
  std::string line = "PORTS";
  for (int i = 0; i < devices; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 4) != 0) die("serve: listen");
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    line += ' ';
    line += std::to_string(ntohs(a.sin_port));
    listeners.push_back(fd);
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  constexpr int kWriters = 2;
  std::vector<std::vector<int>> owned(kWriters);
  for (int i = 0; i < devices; ++i) {
    const int fd = ::accept(listeners[i], nullptr, nullptr);
    if (fd < 0) die("serve: accept");
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::close(listeners[i]);
    owned[i % kWriters].push_back(fd);
  }
  std::vector<std::thread> writers;
  for (auto& fds : owned) writers.emplace_back([&fds, messages] { stream(fds, messages); });
  for (auto& t : writers) t.join();
  return 0;
}

// ---------------------------------------------------------------- the receivers (this process)

struct Peers {
  FILE* pipe = nullptr;
  std::vector<std::uint16_t> ports;
};

Peers spawn_peers(const char* self, int devices, std::uint32_t messages) {
  Peers p;
  std::string cmd = self;
  cmd += " --serve ";
  cmd += std::to_string(devices);
  cmd += ' ';
  cmd += std::to_string(messages);
  p.pipe = ::popen(cmd.c_str(), "r");
  if (p.pipe == nullptr) die("popen");
  char word[32];
  if (std::fscanf(p.pipe, "%31s", word) != 1 || std::string(word) != "PORTS") die("peers: no ports");
  for (int i = 0; i < devices; ++i) {
    unsigned port = 0;
    if (std::fscanf(p.pipe, "%u", &port) != 1) die("peers: port");
    p.ports.push_back(static_cast<std::uint16_t>(port));
  }
  return p;
}

struct Result {
  double seconds = 0;
  double cpu_seconds = 0;
  std::uint64_t messages = 0;
  const char* mode = "";  // the engine's: how a receive that completes at once is handled
};

void wait_for(const std::atomic<std::uint64_t>& count, std::uint64_t total) {
  while (count.load(std::memory_order_relaxed) < total) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

Result run_engine(const char* self, int devices, std::uint32_t per_device, unsigned threads, eng::CompletionSkip skip) {
  Peers peers = spawn_peers(self, devices, per_device);
  auto io = iocpsim::iocp::make_default_io_api();
  iocpsim::iocp::SteadyClock clock;
  eng::EventLog log;
  std::atomic<std::uint64_t> count{0};
  eng::Callbacks cb;
  cb.on_telemetry = [&](const std::string&, const eng::TelemetrySample&) {
    count.fetch_add(1, std::memory_order_relaxed);
  };
  eng::EngineOptions o;
  o.workers = threads;
  o.skip_completion_port_on_success = skip;
  eng::Engine engine(*io, clock, log, o, cb);
  engine.start();
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = process_cpu_seconds();
  for (int i = 0; i < devices; ++i) {
    eng::DeviceConfig d;
    d.name = std::to_string(i);
    d.name.insert(d.name.begin(), 'd');
    d.port = peers.ports[static_cast<std::size_t>(i)];
    d.heartbeat_interval_ms = d.stall_timeout_ms = 3'600'000;
    d.reconnect = false;  // the peers close after their last message
    engine.add_device(d);
  }
  const std::uint64_t total = static_cast<std::uint64_t>(devices) * per_device;
  wait_for(count, total);
  Result r{std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), process_cpu_seconds() - c0,
           count.load(), engine.skips_completion_port_on_success() ? "  [R9b: inline]" : "  [R9: packet]"};
  engine.shutdown();
  ::pclose(peers.pipe);
  std::uint64_t gaps = 0;
  for (const auto& [key, n] : log.counters()) {
    if (key.second == "telemetry_gap") gaps += n;
  }
  if (gaps != 0) std::fprintf(stderr, "engine: %llu telemetry gaps\n", static_cast<unsigned long long>(gaps));
  return r;
}

// asio: the same job — connect, HELLO, read, decode every frame, check each channel's sequence.
class AsioReceiver {
 public:
  AsioReceiver(asio::io_context& io, std::uint16_t port, std::atomic<std::uint64_t>& count)
      : socket_(io), count_(count), buffer_(64 * 1024) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    socket_.set_option(asio::ip::tcp::no_delay(true));
    std::vector<std::uint8_t> hello(128);
    const auto r = proto::encode(proto::Hello{1, 1, 0x7, "asio"}, 0, hello, proto::kFlagReplyExpected);
    asio::write(socket_, asio::buffer(hello.data(), r.size));
  }
  void start() { read(); }

 private:
  void read() {
    socket_.async_read_some(asio::buffer(buffer_), [this](asio::error_code ec, std::size_t n) {
      if (ec) return socket_.close();
      proto::Bytes in(buffer_.data(), n);
      while (!in.empty()) {
        const auto r = decoder_.put(in);
        in = in.subspan(r.consumed);
        if (r.status != proto::DecodeStatus::frame) break;
        if (const auto* t = std::get_if<proto::Telemetry>(&r.frame.message)) {
          if (t->channel_seq != next_seq_) ++gaps_;
          next_seq_ = t->channel_seq + 1;
          count_.fetch_add(1, std::memory_order_relaxed);
        }
      }
      read();
    });
  }
  asio::ip::tcp::socket socket_;
  std::atomic<std::uint64_t>& count_;
  std::vector<std::uint8_t> buffer_;
  proto::Decoder decoder_;
  std::uint32_t next_seq_ = 0;
  std::uint64_t gaps_ = 0;
};

Result run_asio(const char* self, int devices, std::uint32_t per_device, unsigned threads) {
  Peers peers = spawn_peers(self, devices, per_device);
  asio::io_context io;
  std::atomic<std::uint64_t> count{0};
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = process_cpu_seconds();
  std::vector<std::unique_ptr<AsioReceiver>> receivers;
  for (std::uint16_t port : peers.ports) {
    receivers.push_back(std::make_unique<AsioReceiver>(io, port, count));
    receivers.back()->start();
  }
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  const std::uint64_t total = static_cast<std::uint64_t>(devices) * per_device;
  wait_for(count, total);
  Result r{std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), process_cpu_seconds() - c0,
           count.load()};
  for (auto& t : pool) t.join();  // every socket reaches EOF and closes; run() then returns
  ::pclose(peers.pipe);
  return r;
}

struct Ratios {
  double throughput;
  double cpu_per_message;
};

Ratios ratios(const Result& e, const Result& a) {
  return {(static_cast<double>(e.messages) / e.seconds) / (static_cast<double>(a.messages) / a.seconds),
          (e.cpu_seconds / static_cast<double>(e.messages)) / (a.cpu_seconds / static_cast<double>(a.messages))};
}

// The median of the values (the mean of the middle two for an even count), and their range.
struct Spread {
  double median, low, high;
};

Spread spread(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  const double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return {median, v.front(), v.back()};
}

void report(const char* who, int devices, const Result& r) {
  std::printf("%-6s %4d devices  %10.0f msg/s  %6.3f CPU s per million  (%llu msgs, %.3f s wall, %.3f s CPU)%s\n", who,
              devices, static_cast<double>(r.messages) / r.seconds,
              r.cpu_seconds * 1e6 / static_cast<double>(r.messages), static_cast<unsigned long long>(r.messages),
              r.seconds, r.cpu_seconds, r.mode);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--serve") {
    return serve(std::atoi(argv[2]), static_cast<std::uint32_t>(std::atol(argv[3])));
  }
  std::uint64_t messages = 40'000'000;
  unsigned threads = 2;
  unsigned rounds = 1;     // engine and asio alternately, per device count
  std::string only;        // "engine" or "asio": run one side only (for profiling)
  std::vector<int> fleet;  // device counts; default 1, 16, 256
  eng::CompletionSkip skip = eng::EngineOptions{}.skip_completion_port_on_success;
  const auto usage = [&] {
    std::fprintf(stderr,
                 "usage: %s [--messages N] [--threads T] [--devices D]... [--only engine|asio] "
                 "[--completion-skip never|always|if_honoured] [--rounds R]\n",
                 argv[0]);
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string opt = argv[i];
    if (i + 1 >= argc) return usage();  // every option takes a value
    const char* value = argv[++i];
    if (opt == "--completion-skip") {
      if (!eng::from_string(value, skip)) return usage();
    } else if (opt == "--messages") {
      messages = std::strtoull(value, nullptr, 10);
    } else if (opt == "--rounds") {
      rounds = static_cast<unsigned>(std::atoi(value));
      if (rounds == 0) return usage();
    } else if (opt == "--threads") {
      threads = static_cast<unsigned>(std::atoi(value));
    } else if (opt == "--only") {
      only = value;
    } else if (opt == "--devices") {
      fleet.push_back(std::atoi(value));
    } else {
      return usage();
    }
  }
  if (fleet.empty()) fleet = {1, 16, 256};
  std::printf(
      "telemetry, %zu-byte samples per message, %llu messages per run, %u receiving threads, "
      "engine with skip_completion_port_on_success %s\n",
      kSampleBytes, static_cast<unsigned long long>(messages), threads, eng::to_string(skip));
  for (int devices : fleet) {
    const auto per_device = static_cast<std::uint32_t>(messages / static_cast<std::uint64_t>(devices));
    if (only == "engine" || only == "asio") {
      report(only.c_str(), devices,
             only == "engine" ? run_engine(argv[0], devices, per_device, threads, skip)
                              : run_asio(argv[0], devices, per_device, threads));
      continue;
    }
    std::vector<double> throughput, cpu;
    for (unsigned round = 0; round < rounds; ++round) {
      const Result e = run_engine(argv[0], devices, per_device, threads, skip);
      const Result a = run_asio(argv[0], devices, per_device, threads);
      report("engine", devices, e);
      report("asio", devices, a);
      const Ratios r = ratios(e, a);
      std::printf("       ratio (engine/asio): throughput %.2fx, CPU per message %.2fx\n", r.throughput,
                  r.cpu_per_message);
      std::fflush(stdout);
      throughput.push_back(r.throughput);
      cpu.push_back(r.cpu_per_message);
    }
    if (rounds > 1) {
      const Spread t = spread(throughput);
      const Spread c = spread(cpu);
      std::printf(
          "median of %u rounds, %4d devices (engine/asio): throughput %.2fx (%.2f-%.2f), "
          "CPU per message %.2fx (%.2f-%.2f)\n",
          rounds, devices, t.median, t.low, t.high, c.median, c.low, c.high);
      std::fflush(stdout);
    }
  }
  return 0;
}
