// hostile_bench: the engine beside two hostile devices, against a plain epoll host doing the same
// job beside the same devices in the same run.
//
// The fleet, all dialled by the host on loopback:
//   never_reads   completes the handshake, then writes HEARTBEAT frames as fast as the socket
//                 lets it and never reads again (a 4 KB SO_RCVBUF on its side): every heartbeat
//                 asks for a HEARTBEAT_ACK that can never be delivered.
//   event_flood   writes EVENT frames as fast as it can; it reads, and answers heartbeats.
//   healthy000..  (100 by default) answer HELLO with HELLO_ACK (1 s heartbeat interval) and each
//                 HEARTBEAT with a HEARTBEAT_ACK and one small TELEMETRY frame.
//
// What is measured, per side:
//   - the gap between consecutive HEARTBEAT frames the host sends to each healthy device, taken
//     on the device side (arrival times in the peer process), p50 / p99 / max, in ms and as a
//     multiple of the 1 s interval: a host that lets a hostile device delay its timers shows it
//     here (the target is p99 <= 1.5 x interval);
//   - the bytes of event-log lines the host writes because of each hostile device, and because
//     of the healthy ones, per second (the lines are formatted as JsonLinesSink formats them and
//     counted, not written to a disk);
//   - the host process's RSS (/proc/self/statm) sampled every second: first, max, last;
//   - what the host did to the hostile devices (its event counters for them);
//   - the engine only: shutdown_drained's leak counts, which must be 0.
//
// The peers run in a child process (this binary with --serve), so each host is measured apart
// from them; each side runs in a fresh process of its own (forked), so RSS is that side's alone.
//
//   build/release/tools/bench/hostile_bench [--seconds N] [--rounds R] [--healthy H] [--only engine|epoll]
//
// --rounds R runs the engine and the epoll host alternately R times, each --seconds long
// (default 60), and ends with the median of the per-round p99 ratios. The exit status is
// non-zero if the engine failed (did not start, left a healthy device without a session, or
// leaked a context at shutdown).
//
// The epoll host is deliberately plain: one thread, level-triggered epoll, one recv of 64 KB per
// readiness, a heartbeat every second per device, an output buffer per connection that it drops
// the connection for past 256 KB (else a device that never reads grows it without end), a 3 s
// heartbeat timeout, a fixed 1 s reconnect delay, and a log line per decision with no rate limit.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "iocpsim/engine/engine.hpp"
#include "iocpsim/engine/event_log.hpp"
#include "iocpsim/iocp/io_api_backend.hpp"
#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace {

namespace proto = iocpsim::protocol;
namespace eng = iocpsim::engine;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kIntervalMs = 1'000;   // the healthy devices' heartbeat interval
constexpr int kHostileRcvbufBytes = 4 * 1024;  // never_reads' receive buffer
constexpr std::size_t kFloodFramesPerBatch = 64;
constexpr const char* kNeverReads = "never_reads";
constexpr const char* kEventFlood = "event_flood";

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Resident set size: the second field of /proc/self/statm, in pages.
std::uint64_t rss_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  const int got = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return got == 2 ? resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

// The fleet's names, in the order of the peers' ports: the two hostile devices, then the healthy.
std::string device_name(std::size_t index) {
  if (index == 0) return kNeverReads;
  if (index == 1) return kEventFlood;
  char name[32];
  std::snprintf(name, sizeof name, "healthy%03zu", index - 2);
  return name;
}

// Appends one whole frame to `out`.
void append(std::vector<std::uint8_t>& out, const proto::Message& m, std::uint32_t seq, std::uint16_t flags = 0) {
  const std::size_t at = out.size();
  out.resize(at + proto::frame_size(m));
  const auto r = proto::encode(m, seq, std::span(out).subspan(at), flags);
  if (!r) die("encode");
  out.resize(at + r.size);
}

// ---------------------------------------------------------------- the devices (child process)

// Blocking: writes everything or says the connection is gone.
bool send_all(int fd, const std::vector<std::uint8_t>& bytes) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t w = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (w <= 0) return false;
    at += static_cast<std::size_t>(w);
  }
  return true;
}

// Blocking: waits for the host's HELLO (the host sends nothing else before our HELLO_ACK).
bool await_hello(int fd) {
  proto::Decoder decoder;
  std::uint8_t buf[512];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    const auto r = decoder.put(proto::Bytes(buf, static_cast<std::size_t>(n)));
    if (r.status == proto::DecodeStatus::error) return false;
    if (r.status == proto::DecodeStatus::frame) return true;
  }
}

// A loopback listener on a port of the kernel's choosing. A small receive buffer is set before
// listen() so that accepted sockets inherit it and the window it implies is what the SYN offers.
int listen_loopback(int rcvbuf_bytes, std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (rcvbuf_bytes > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf_bytes, sizeof rcvbuf_bytes);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 16) != 0) die("serve: listen");
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// What the devices saw, read by the reporting thread.
struct PeerRecord {
  std::mutex mutex;
  bool recording = true;                   // cleared at STOP: gaps after it are not the run's
  std::vector<double> gaps_ms;             // healthy devices, consecutive heartbeats, one connection
  std::vector<std::uint64_t> connections;  // per healthy device
  std::uint64_t heartbeats = 0;
  std::atomic<std::uint64_t> never_reads_connections{0}, never_reads_frames{0};
  std::atomic<std::uint64_t> flood_connections{0}, flood_frames{0};

  void heartbeat(Clock::time_point now, Clock::time_point& last) {
    std::lock_guard lock(mutex);
    if (!recording) return;
    ++heartbeats;
    if (last != Clock::time_point{}) gaps_ms.push_back(std::chrono::duration<double, std::milli>(now - last).count());
    last = now;
  }
};

// never_reads: handshake, then heartbeats until the host gives up on the connection; again for
// every connection the host makes.
void never_reads(int listener, PeerRecord& record) {
  for (;;) {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    record.never_reads_connections.fetch_add(1);
    std::vector<std::uint8_t> out;
    std::uint32_t seq = 1;
    append(out, proto::HelloAck{1, proto::kCapTelemetry, kIntervalMs, kNeverReads, "sn", "fw"}, seq++);
    bool alive = await_hello(fd) && send_all(fd, out);
    for (std::uint64_t nonce = 0; alive;) {
      out.clear();
      for (std::size_t k = 0; k < kFloodFramesPerBatch; ++k) {
        append(out, proto::Heartbeat{++nonce}, seq++, proto::kFlagReplyExpected);
      }
      alive = send_all(fd, out);  // blocks while the host does not read; fails once it closes
      if (alive) record.never_reads_frames.fetch_add(kFloodFramesPerBatch);
    }
    ::close(fd);
  }
}

// One event_flood connection: EVENT frames in batches, heartbeats answered between batches (an
// answer never splits a frame), our BYE when the host says BYE.
void flood_connection(int fd, PeerRecord& record) {
  std::vector<std::uint8_t> out, urgent;
  std::size_t out_at = 0;
  std::uint32_t seq = 1, event_id = 0;
  append(out, proto::HelloAck{1, proto::kCapEvents, kIntervalMs, kEventFlood, "sn", "fw"}, seq++);
  if (!await_hello(fd) || !send_all(fd, out)) return;
  out.clear();
  set_nonblocking(fd);
  proto::Decoder decoder;
  std::vector<std::uint8_t> buf(16 * 1024);
  for (bool bye = false;;) {
    if (out_at == out.size()) {
      out.clear();
      out_at = 0;
      if (!urgent.empty()) {
        out.swap(urgent);
      } else if (bye) {
        break;
      } else {
        for (std::size_t k = 0; k < kFloodFramesPerBatch; ++k) {
          append(out, proto::Event{++event_id, proto::Severity::warning, 7, event_id, "flood"}, seq++);
        }
        record.flood_frames.fetch_add(kFloodFramesPerBatch);
      }
    }
    pollfd p{fd, POLLIN | POLLOUT, 0};
    if (::poll(&p, 1, 1'000) < 0) continue;
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n == 0 || (n < 0 && errno != EAGAIN)) return;
      proto::Bytes in(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
      while (!in.empty()) {
        const auto r = decoder.put(in);
        in = in.subspan(r.consumed);
        if (r.status != proto::DecodeStatus::frame) break;
        if (const auto* hb = std::get_if<proto::Heartbeat>(&r.frame.message)) {
          append(urgent, proto::HeartbeatAck{hb->nonce}, seq++);
        } else if (std::holds_alternative<proto::Bye>(r.frame.message) && !bye) {
          append(urgent, proto::Bye{proto::ByeReason::normal, ""}, seq++);
          bye = true;
        }
      }
    }
    if ((p.revents & POLLOUT) != 0 && out_at < out.size()) {
      const ssize_t w = ::send(fd, out.data() + out_at, out.size() - out_at, MSG_NOSIGNAL);
      if (w < 0 && errno != EAGAIN) return;
      if (w > 0) out_at += static_cast<std::size_t>(w);
    }
  }
  ::shutdown(fd, SHUT_WR);  // after our BYE; the host closes its side next
  for (pollfd p{fd, POLLIN, 0}; ::poll(&p, 1, 5'000) > 0 && ::recv(fd, buf.data(), buf.size(), 0) > 0;) {
  }
}

void event_flood(int listener, PeerRecord& record) {
  for (;;) {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    record.flood_connections.fetch_add(1);
    flood_connection(fd, record);
    ::close(fd);
  }
}

// The healthy devices, all on one poll loop.
struct HealthyPeer {
  int listener = -1;
  int fd = -1;  // the connection, when there is one
  proto::Decoder decoder;
  std::vector<std::uint8_t> out;
  std::uint32_t seq = 1;
  std::uint32_t telemetry_seq = 0;
  bool bye = false;  // our BYE is queued: half-close once it is out
  bool half_closed = false;
  Clock::time_point last_heartbeat{};  // on this connection; the epoch when none yet
};

void drop(HealthyPeer& p) {
  ::close(p.fd);
  p.fd = -1;
  p.decoder.reset();
  p.out.clear();
  p.seq = 1;
  p.bye = p.half_closed = false;
  p.last_heartbeat = {};
}

bool flush(HealthyPeer& p) {
  while (!p.out.empty()) {
    const ssize_t w = ::send(p.fd, p.out.data(), p.out.size(), MSG_NOSIGNAL);
    if (w < 0) return errno == EAGAIN;
    p.out.erase(p.out.begin(), p.out.begin() + w);
  }
  if (p.bye && !p.half_closed) {
    ::shutdown(p.fd, SHUT_WR);
    p.half_closed = true;
  }
  return true;
}

// Reads what is there and answers it; false when the connection is over.
bool read_healthy(HealthyPeer& p, Clock::time_point now, std::vector<std::uint8_t>& buf, PeerRecord& record) {
  const ssize_t n = ::recv(p.fd, buf.data(), buf.size(), 0);
  if (n == 0) return false;
  if (n < 0) return errno == EAGAIN;
  static const std::vector<std::uint8_t> samples(16, 0x5A);
  proto::Bytes in(buf.data(), static_cast<std::size_t>(n));
  while (!in.empty()) {
    const auto r = p.decoder.put(in);
    in = in.subspan(r.consumed);
    if (r.status == proto::DecodeStatus::error) return false;
    if (r.status != proto::DecodeStatus::frame) break;
    const proto::Message& m = r.frame.message;
    if (std::holds_alternative<proto::Hello>(m)) {
      append(p.out, proto::HelloAck{1, proto::kCapTelemetry, kIntervalMs, "healthy", "sn", "fw"}, p.seq++);
    } else if (const auto* hb = std::get_if<proto::Heartbeat>(&m)) {
      record.heartbeat(now, p.last_heartbeat);
      append(p.out, proto::HeartbeatAck{hb->nonce}, p.seq++);
      append(p.out, proto::Telemetry{1, p.telemetry_seq, p.telemetry_seq, samples}, p.seq++);
      ++p.telemetry_seq;
    } else if (std::holds_alternative<proto::Bye>(m) && !p.bye) {
      append(p.out, proto::Bye{proto::ByeReason::normal, ""}, p.seq++);
      p.bye = true;
    }
  }
  return flush(p);
}

void healthy_loop(std::vector<HealthyPeer>& peers, PeerRecord& record) {
  std::vector<pollfd> fds(peers.size());
  std::vector<std::uint8_t> buf(16 * 1024);
  for (;;) {
    for (std::size_t i = 0; i < peers.size(); ++i) {
      const HealthyPeer& p = peers[i];
      fds[i] = p.fd < 0 ? pollfd{p.listener, POLLIN, 0}
                        : pollfd{p.fd, static_cast<short>(POLLIN | (p.out.empty() ? 0 : POLLOUT)), 0};
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;
    const auto now = Clock::now();  // the arrival time of what this poll found
    for (std::size_t i = 0; i < peers.size(); ++i) {
      HealthyPeer& p = peers[i];
      if (fds[i].revents == 0) continue;
      if (p.fd < 0) {
        p.fd = ::accept(p.listener, nullptr, nullptr);
        if (p.fd < 0) continue;
        set_nonblocking(p.fd);
        std::lock_guard lock(record.mutex);
        ++record.connections[i];
        continue;
      }
      bool alive = true;
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) alive = read_healthy(p, now, buf, record);
      if (alive && (fds[i].revents & POLLOUT) != 0) alive = flush(p);
      if (!alive) drop(p);
    }
  }
}

struct GapStats {
  std::size_t count = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

// Nearest-rank quantiles.
GapStats gap_stats(std::vector<double> v) {
  GapStats s;
  s.count = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const auto at = [&](double q) {
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::min(v.size(), std::max<std::size_t>(rank, 1)) - 1];
  };
  s.p50_ms = at(0.50);
  s.p99_ms = at(0.99);
  s.max_ms = v.back();
  return s;
}

// The report the side process reads after STOP, one keyword per line.
void print_report(PeerRecord& record) {
  std::lock_guard lock(record.mutex);
  record.recording = false;
  const GapStats g = gap_stats(record.gaps_ms);
  std::uint64_t reconnects = 0, never_connected = 0;
  for (std::uint64_t c : record.connections) {
    if (c == 0) ++never_connected;
    if (c > 1) reconnects += c - 1;
  }
  std::printf("GAPS %zu %.3f %.3f %.3f\n", g.count, g.p50_ms, g.p99_ms, g.max_ms);
  std::printf("HEALTHY %llu %llu %llu\n", static_cast<unsigned long long>(record.heartbeats),
              static_cast<unsigned long long>(reconnects), static_cast<unsigned long long>(never_connected));
  std::printf("HOSTILE %llu %llu %llu %llu\n", static_cast<unsigned long long>(record.never_reads_connections.load()),
              static_cast<unsigned long long>(record.never_reads_frames.load()),
              static_cast<unsigned long long>(record.flood_connections.load()),
              static_cast<unsigned long long>(record.flood_frames.load()));
  std::fflush(stdout);
}

// The peer process: prints its ports (never_reads, event_flood, the healthy ones), serves until
// its stdin ends, and prints what the devices saw on each STOP line.
int serve(std::size_t healthy) {
  std::signal(SIGPIPE, SIG_IGN);
  PeerRecord record;
  record.connections.assign(healthy, 0);
  std::uint16_t port = 0;
  std::string line = "PORTS";
  const int never_fd = listen_loopback(kHostileRcvbufBytes, port);
  line += ' ' + std::to_string(port);
  const int flood_fd = listen_loopback(0, port);
  line += ' ' + std::to_string(port);
  std::vector<HealthyPeer> peers(healthy);
  for (HealthyPeer& p : peers) {
    p.listener = listen_loopback(0, port);
    line += ' ' + std::to_string(port);
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  std::thread([&] { never_reads(never_fd, record); }).detach();
  std::thread([&] { event_flood(flood_fd, record); }).detach();
  std::thread([&] { healthy_loop(peers, record); }).detach();
  char command[64];
  while (std::fgets(command, sizeof command, stdin) != nullptr) {
    if (std::strncmp(command, "STOP", 4) == 0) print_report(record);
  }
  std::fflush(stdout);
  std::_Exit(0);  // the device threads block in accept/poll/send: end them with the process
}

// ---------------------------------------------------------------- the side process (a host)

struct Peers {
  pid_t pid = -1;
  FILE* from = nullptr;  // the peers' stdout
  int to = -1;           // their stdin
  std::vector<std::uint16_t> ports;
};

Peers spawn_peers(std::size_t healthy) {
  int down[2], up[2];
  if (::pipe2(down, O_CLOEXEC) != 0 || ::pipe2(up, O_CLOEXEC) != 0) die("pipe2");
  const std::string count = std::to_string(healthy);
  Peers p;
  p.pid = ::fork();
  if (p.pid < 0) die("fork");
  if (p.pid == 0) {
    ::dup2(down[0], 0);
    ::dup2(up[1], 1);
    ::execl("/proc/self/exe", "hostile_bench", "--serve", count.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(down[0]);
  ::close(up[1]);
  p.to = down[1];
  p.from = ::fdopen(up[0], "r");
  char word[16];
  if (std::fscanf(p.from, "%15s", word) != 1 || std::string(word) != "PORTS") die("peers: no ports");
  for (std::size_t i = 0; i < healthy + 2; ++i) {
    unsigned port = 0;
    if (std::fscanf(p.from, "%u", &port) != 1) die("peers: port");
    p.ports.push_back(static_cast<std::uint16_t>(port));
  }
  return p;
}

struct PeerReport {
  GapStats gaps;
  unsigned long long heartbeats = 0, healthy_reconnects = 0, never_connected = 0;
  unsigned long long never_reads_connections = 0, never_reads_frames = 0;
  unsigned long long flood_connections = 0, flood_frames = 0;
};

PeerReport stop_peers(Peers& p) {
  if (::write(p.to, "STOP\n", 5) != 5) die("peers: stop");
  PeerReport r;
  if (std::fscanf(p.from, " GAPS %zu %lf %lf %lf", &r.gaps.count, &r.gaps.p50_ms, &r.gaps.p99_ms, &r.gaps.max_ms) !=
          4 ||
      std::fscanf(p.from, " HEALTHY %llu %llu %llu", &r.heartbeats, &r.healthy_reconnects, &r.never_connected) != 3 ||
      std::fscanf(p.from, " HOSTILE %llu %llu %llu %llu", &r.never_reads_connections, &r.never_reads_frames,
                  &r.flood_connections, &r.flood_frames) != 4) {
    die("peers: report");
  }
  return r;
}

void end_peers(Peers& p) {
  ::close(p.to);  // the peers' stdin ends: they exit
  std::fclose(p.from);
  ::waitpid(p.pid, nullptr, 0);
}

// Counts the bytes of the JSON line each event makes, per device, formatted as the engine's
// JSON-lines sinks format it; keeps shutdown_drained and the suppressed counts.
class CountingSink final : public eng::EventSink {
 public:
  void write(const eng::Event& e) override {
    const std::size_t bytes = e.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).size() + 1;
    std::lock_guard lock(mutex_);
    bytes_[e.device] += bytes;
    if (e.name == "events_suppressed") suppressed_[e.device] += e.fields.value("count", std::uint64_t{0});
    if (e.name == "shutdown_drained") drained_ = e.fields;
  }
  std::map<std::string, std::uint64_t> bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
  }
  std::uint64_t suppressed(const std::string& device) const {
    std::lock_guard lock(mutex_);
    const auto it = suppressed_.find(device);
    return it == suppressed_.end() ? 0 : it->second;
  }
  nlohmann::json drained() const {
    std::lock_guard lock(mutex_);
    return drained_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> bytes_;
  std::map<std::string, std::uint64_t> suppressed_;
  nlohmann::json drained_;
};

// What one side measured, as printed and as handed to the orchestrating process.
struct RssSamples {
  std::uint64_t first = 0, max = 0, last = 0;
  void sample() {
    last = rss_bytes();
    if (first == 0) first = last;
    max = std::max(max, last);
  }
};

struct SideFigures {
  const char* side = "";
  double seconds = 0;  // from the first dial to STOP
  double cpu_seconds = 0;
  PeerReport peers;
  RssSamples rss;
  std::map<std::string, std::uint64_t> log_bytes;                         // per device, at STOP
  std::map<std::pair<std::string, std::string>, std::uint64_t> counters;  // at STOP
  std::uint64_t events_delivered = 0;  // event_flood's EVENTs handed to the application
  std::uint64_t suppressed_never_reads = 0, suppressed_flood = 0;

  // At the end of the measured time: what the devices saw, and the host's figures until then.
  void take(Peers& p, Clock::time_point t0, double cpu0, const CountingSink& sink, const eng::EventLog& log) {
    peers = stop_peers(p);
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    cpu_seconds = process_cpu_seconds() - cpu0;
    log_bytes = sink.bytes();
    counters = log.counters();
    suppressed_never_reads = sink.suppressed(kNeverReads);
    suppressed_flood = sink.suppressed(kEventFlood);
  }
};

std::uint64_t counter(const SideFigures& f, const std::string& device, const std::string& name) {
  const auto it = f.counters.find({device, name});
  return it == f.counters.end() ? 0 : it->second;
}

void print_counters(const SideFigures& f, const char* device) {
  std::printf("    %-12s", device);
  for (const auto& [key, n] : f.counters) {
    if (key.first == device) std::printf(" %s=%llu", key.second.c_str(), static_cast<unsigned long long>(n));
  }
  std::printf("\n");
}

void print_figures(const SideFigures& f, std::size_t healthy) {
  const GapStats& g = f.peers.gaps;
  const double interval = kIntervalMs;
  std::printf("[%s] %.1f s, CPU %.2f s (%.0f %% of one core)\n", f.side, f.seconds, f.cpu_seconds,
              100.0 * f.cpu_seconds / f.seconds);
  std::printf(
      "  heartbeat gap, %zu healthy devices, %zu gaps: p50 %.1f ms (%.3fx)  p99 %.1f ms (%.3fx)  "
      "max %.1f ms (%.3fx)  -> p99 %s 1.5x interval\n",
      healthy, g.count, g.p50_ms, g.p50_ms / interval, g.p99_ms, g.p99_ms / interval, g.max_ms, g.max_ms / interval,
      g.p99_ms <= 1.5 * interval ? "within" : "OVER");
  std::printf("  healthy devices: %llu heartbeats received, %llu reconnects, %llu never connected\n",
              f.peers.heartbeats, f.peers.healthy_reconnects, f.peers.never_connected);
  std::uint64_t healthy_bytes = 0, other_bytes = 0;
  for (const auto& [device, bytes] : f.log_bytes) {
    if (device.rfind("healthy", 0) == 0)
      healthy_bytes += bytes;
    else if (device != kNeverReads && device != kEventFlood)
      other_bytes += bytes;
  }
  const auto rate = [&](std::uint64_t bytes) { return static_cast<double>(bytes) / f.seconds; };
  const auto bytes_of = [&](const char* device) {
    const auto it = f.log_bytes.find(device);
    return it == f.log_bytes.end() ? std::uint64_t{0} : it->second;
  };
  std::printf(
      "  event log bytes/s: never_reads %.0f  event_flood %.0f  healthy %.0f in all (%.1f per device)  "
      "engine-wide %.0f\n",
      rate(bytes_of(kNeverReads)), rate(bytes_of(kEventFlood)), rate(healthy_bytes),
      rate(healthy_bytes) / static_cast<double>(healthy), rate(other_bytes));
  std::printf("  RSS: first %.1f MB  max %.1f MB  last %.1f MB\n", static_cast<double>(f.rss.first) / 1e6,
              static_cast<double>(f.rss.max) / 1e6, static_cast<double>(f.rss.last) / 1e6);
  std::printf(
      "  never_reads: %llu connections, %llu heartbeats written by it; event_flood: %llu connections, "
      "%llu EVENTs written by it, %llu delivered to the application (%.0f/s)\n",
      f.peers.never_reads_connections, f.peers.never_reads_frames, f.peers.flood_connections, f.peers.flood_frames,
      static_cast<unsigned long long>(f.events_delivered), static_cast<double>(f.events_delivered) / f.seconds);
  std::printf(
      "  hostile devices: peer_not_reading %llu / %llu, events_suppressed %llu (covering %llu) / "
      "%llu (covering %llu), reconnect_scheduled %llu / %llu  (never_reads / event_flood)\n",
      static_cast<unsigned long long>(counter(f, kNeverReads, "peer_not_reading")),
      static_cast<unsigned long long>(counter(f, kEventFlood, "peer_not_reading")),
      static_cast<unsigned long long>(counter(f, kNeverReads, "events_suppressed")),
      static_cast<unsigned long long>(f.suppressed_never_reads),
      static_cast<unsigned long long>(counter(f, kEventFlood, "events_suppressed")),
      static_cast<unsigned long long>(f.suppressed_flood),
      static_cast<unsigned long long>(counter(f, kNeverReads, "reconnect_scheduled")),
      static_cast<unsigned long long>(counter(f, kEventFlood, "reconnect_scheduled")));
  std::printf("  all events of the hostile devices:\n");
  print_counters(f, kNeverReads);
  print_counters(f, kEventFlood);
}

// Sleeps to each whole second after t0, sampling RSS, for `seconds`.
void run_for(Clock::time_point t0, unsigned seconds, RssSamples& rss) {
  for (unsigned s = 1; s <= seconds; ++s) {
    std::this_thread::sleep_until(t0 + std::chrono::seconds(s));
    rss.sample();
  }
}

// What a side process hands back to the orchestrating one.
struct SideSummary {
  GapStats gaps;
  int status = 0;  // non-zero: the host failed
};

// The engine side: the real Engine on the default IoApi backend, default device options.
SideSummary run_engine(unsigned seconds, std::size_t healthy) {
  Peers peers = spawn_peers(healthy);
  auto io = iocpsim::iocp::make_default_io_api();
  iocpsim::iocp::SteadyClock clock;
  eng::EventLog log;
  auto sink = std::make_shared<CountingSink>();
  log.add_sink(sink);
  std::atomic<std::uint64_t> delivered{0};
  eng::Callbacks cb;
  cb.on_device_event = [&](const std::string&, const eng::DeviceEvent&) {
    delivered.fetch_add(1, std::memory_order_relaxed);
  };
  eng::Engine engine(*io, clock, log, eng::EngineOptions{}, cb);
  SideFigures f;
  f.side = "engine";
  if (!engine.start()) {
    std::printf("[engine] start() failed\n");
    end_peers(peers);
    return {{}, 1};
  }
  const auto t0 = Clock::now();
  const double c0 = process_cpu_seconds();
  for (std::size_t i = 0; i < peers.ports.size(); ++i) {
    eng::DeviceConfig d;
    d.name = device_name(i);
    d.port = peers.ports[i];
    engine.add_device(d);
  }
  run_for(t0, seconds, f.rss);
  f.take(peers, t0, c0, *sink, log);
  f.events_delivered = delivered.load();
  std::size_t ready = 0;
  for (std::size_t i = 2; i < peers.ports.size(); ++i) {
    if (counter(f, device_name(i), "session_ready") > 0) ++ready;
  }
  const eng::ShutdownReport report = engine.shutdown();
  end_peers(peers);
  print_figures(f, healthy);
  const nlohmann::json drained = sink->drained();
  const bool drained_seen = drained.is_object() && drained.contains("leaked_op_contexts");
  const auto leaked_ops = drained_seen ? drained["leaked_op_contexts"].get<std::uint64_t>() : 0;
  const auto leaked_conns = drained_seen ? drained["leaked_connection_contexts"].get<std::uint64_t>() : 0;
  std::printf(
      "  shutdown_drained: leaked_op_contexts %llu, leaked_connection_contexts %llu, polite %s, "
      "workers_joined %u; healthy devices that reached a session: %zu of %zu\n",
      static_cast<unsigned long long>(leaked_ops), static_cast<unsigned long long>(leaked_conns),
      report.drained_politely ? "true" : "false", report.workers_joined, ready, healthy);
  const bool ok = drained_seen && leaked_ops == 0 && leaked_conns == 0 && report.leaked_op_contexts == 0 &&
                  report.leaked_connection_contexts == 0 && ready == healthy;
  if (!ok)
    std::printf("  ENGINE FAILED: %s\n",
                drained_seen ? "leaks or healthy devices without a session" : "no shutdown_drained event");
  std::fflush(stdout);
  return {f.peers.gaps, ok ? 0 : 1};
}

// ---------------------------------------------------------------- the plain epoll host

class EpollHost {
 public:
  EpollHost(const std::vector<std::uint16_t>& ports, eng::EventLog& log)
      : log_(log), epoll_(::epoll_create1(EPOLL_CLOEXEC)), buf_(64 * 1024) {
    for (std::size_t i = 0; i < ports.size(); ++i) {
      conns_.push_back(std::make_unique<Conn>());
      conns_.back()->name = device_name(i);
      conns_.back()->port = ports[i];
    }
  }
  ~EpollHost() {
    for (auto& c : conns_) {
      if (c->fd >= 0) ::close(c->fd);
    }
    ::close(epoll_);
  }
  EpollHost(const EpollHost&) = delete;
  EpollHost& operator=(const EpollHost&) = delete;

  // Runs until `end`, sampling RSS once a second.
  void run(Clock::time_point end, RssSamples& rss) {
    for (std::size_t i = 0; i < conns_.size(); ++i) dial(i);
    epoll_event events[128];
    std::int64_t next_sample_ms = now_ms() + 1'000;
    const std::int64_t end_ms =
        now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
    for (std::int64_t now = now_ms(); now < end_ms; now = now_ms()) {
      const std::int64_t wake = std::min({next_timer_ms(), end_ms, next_sample_ms});
      const int n = ::epoll_wait(epoll_, events, 128, static_cast<int>(std::max<std::int64_t>(wake - now, 0)));
      for (int k = 0; k < n; ++k) on_ready(events[k]);
      now = now_ms();
      run_timers(now);
      if (now >= next_sample_ms) {
        rss.sample();
        next_sample_ms += 1'000;
      }
    }
  }
  std::uint64_t events_delivered() const { return events_delivered_; }

 private:
  enum class State { backoff, connecting, handshaking, ready };
  static constexpr std::size_t kOutMaxBytes = 256 * 1024;
  static constexpr std::int64_t kHeartbeatTimeoutMs = 3'000, kHandshakeTimeoutMs = 5'000, kReconnectMs = 1'000;

  struct Conn {
    std::string name;
    std::uint16_t port = 0;
    int fd = -1;
    std::uint32_t generation = 0;  // in the epoll data: an event for a closed connection is stale
    State state = State::backoff;
    proto::Decoder decoder;
    std::vector<std::uint8_t> out;
    std::size_t out_at = 0;
    bool want_out = false;
    std::uint32_t seq = 1;
    std::uint64_t nonce = 0;
    std::int64_t reconnect_ms = 0, handshake_deadline_ms = 0, next_heartbeat_ms = 0, ack_deadline_ms = 0;
  };

  void emit(const Conn& c, const char* name, nlohmann::json fields = nlohmann::json::object()) {
    eng::Event e;
    e.t_ms = now_ms();
    e.name = name;
    e.device = c.name;
    e.fields = std::move(fields);
    log_.emit(std::move(e));
  }

  void watch(Conn& c, std::size_t index, int op, bool want_out) {
    epoll_event ev{};
    ev.events = EPOLLIN | (want_out ? EPOLLOUT : 0u);
    ev.data.u64 = (static_cast<std::uint64_t>(c.generation) << 32) | index;
    ::epoll_ctl(epoll_, op, c.fd, &ev);
    c.want_out = want_out;
  }

  void dial(std::size_t index) {
    Conn& c = *conns_[index];
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(c.port);
    ++c.generation;
    c.state = State::connecting;
    c.handshake_deadline_ms = now_ms() + kHandshakeTimeoutMs;
    emit(c, "connect_started");
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
      return fail(c, "connect_failed");
    }
    watch(c, index, EPOLL_CTL_ADD, true);
  }

  void fail(Conn& c, const char* why) {
    emit(c, why);
    ::close(c.fd);  // also takes it out of the epoll set
    c.fd = -1;
    c.state = State::backoff;
    c.decoder.reset();
    c.out.clear();
    c.out_at = 0;
    c.seq = 1;
    c.ack_deadline_ms = 0;
    c.reconnect_ms = now_ms() + kReconnectMs;
    emit(c, "reconnect_scheduled", {{"delay_ms", kReconnectMs}});
  }

  void on_ready(const epoll_event& ev) {
    const auto index = static_cast<std::size_t>(ev.data.u64 & 0xFFFF'FFFFu);
    Conn& c = *conns_[index];
    if (c.fd < 0 || c.generation != static_cast<std::uint32_t>(ev.data.u64 >> 32)) return;
    if (c.state == State::connecting) {
      int error = 0;
      socklen_t len = sizeof error;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
      if (error != 0) return fail(c, "connect_failed");
      c.state = State::handshaking;
      emit(c, "connected");
      queue(c, index, proto::Hello{1, 1, 0x7, "epoll-host"}, proto::kFlagReplyExpected);
      return;
    }
    if ((ev.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0 && !read_once(c, index)) return;
    if ((ev.events & EPOLLOUT) != 0) flush(c, index);
  }

  // Queues a frame and writes what the socket takes now.
  void queue(Conn& c, std::size_t index, const proto::Message& m, std::uint16_t flags = 0) {
    append(c.out, m, c.seq++, flags);
    if (c.out.size() - c.out_at > kOutMaxBytes) return fail(c, "send_buffer_overflow");
    flush(c, index);
  }

  void flush(Conn& c, std::size_t index) {
    while (c.out_at < c.out.size()) {
      const ssize_t w = ::send(c.fd, c.out.data() + c.out_at, c.out.size() - c.out_at, MSG_NOSIGNAL);
      if (w < 0 && errno == EAGAIN) break;
      if (w < 0) return fail(c, "peer_reset");
      c.out_at += static_cast<std::size_t>(w);
    }
    if (c.out_at == c.out.size()) {
      c.out.clear();
      c.out_at = 0;
    }
    const bool want_out = c.out_at < c.out.size();
    if (want_out != c.want_out) watch(c, index, EPOLL_CTL_MOD, want_out);
  }

  // One recv per readiness (level-triggered: a busy socket is back in the next epoll_wait, after
  // the others that are ready). False if the connection failed.
  bool read_once(Conn& c, std::size_t index) {
    const ssize_t n = ::recv(c.fd, buf_.data(), buf_.size(), 0);
    if (n < 0 && errno == EAGAIN) return true;
    if (n <= 0) {
      fail(c, n == 0 ? "peer_closed" : "peer_reset");
      return false;
    }
    proto::Bytes in(buf_.data(), static_cast<std::size_t>(n));
    const std::uint32_t generation = c.generation;
    while (!in.empty() && c.fd >= 0 && c.generation == generation) {
      const auto r = c.decoder.put(in);
      in = in.subspan(r.consumed);
      if (r.status == proto::DecodeStatus::error) {
        fail(c, "protocol_error");
        return false;
      }
      if (r.status != proto::DecodeStatus::frame) break;
      on_frame(c, index, r.frame.message);
    }
    return c.fd >= 0 && c.generation == generation;
  }

  void on_frame(Conn& c, std::size_t index, const proto::Message& m) {
    if (const auto* ack = std::get_if<proto::HelloAck>(&m)) {
      if (c.state != State::handshaking) return;
      c.state = State::ready;
      c.next_heartbeat_ms = now_ms() + kIntervalMs;
      emit(c, "session_ready", {{"version", ack->version}, {"heartbeat_interval_ms", kIntervalMs}});
    } else if (const auto* hb = std::get_if<proto::Heartbeat>(&m)) {
      queue(c, index, proto::HeartbeatAck{hb->nonce});
    } else if (const auto* hba = std::get_if<proto::HeartbeatAck>(&m)) {
      if (hba->nonce == c.nonce) c.ack_deadline_ms = 0;
    } else if (const auto* ev = std::get_if<proto::Event>(&m)) {
      emit(c, "device_event",
           {{"event_id", ev->event_id}, {"severity", static_cast<int>(ev->severity)}, {"code", ev->code}});
      ++events_delivered_;
    }
  }

  std::int64_t next_timer_ms() const {
    std::int64_t next = INT64_MAX;
    for (const auto& c : conns_) {
      if (c->state == State::backoff) next = std::min(next, c->reconnect_ms);
      if (c->state == State::connecting || c->state == State::handshaking)
        next = std::min(next, c->handshake_deadline_ms);
      if (c->state == State::ready) next = std::min(next, c->next_heartbeat_ms);
      if (c->ack_deadline_ms != 0) next = std::min(next, c->ack_deadline_ms);
    }
    return next;
  }

  void run_timers(std::int64_t now) {
    for (std::size_t i = 0; i < conns_.size(); ++i) {
      Conn& c = *conns_[i];
      if (c.state == State::backoff && now >= c.reconnect_ms) {
        dial(i);
      } else if ((c.state == State::connecting || c.state == State::handshaking) && now >= c.handshake_deadline_ms) {
        fail(c, "handshake_timeout");
      } else if (c.state == State::ready && c.ack_deadline_ms != 0 && now >= c.ack_deadline_ms) {
        fail(c, "heartbeat_timeout");
      } else if (c.state == State::ready && now >= c.next_heartbeat_ms) {
        c.next_heartbeat_ms = now + kIntervalMs;
        if (c.ack_deadline_ms == 0) c.ack_deadline_ms = now + kHeartbeatTimeoutMs;
        emit(c, "heartbeat_sent", {{"nonce", c.nonce + 1}});
        queue(c, i, proto::Heartbeat{++c.nonce}, proto::kFlagReplyExpected);
      }
    }
  }

  eng::EventLog& log_;
  int epoll_;
  std::vector<std::uint8_t> buf_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::uint64_t events_delivered_ = 0;
};

SideSummary run_epoll(unsigned seconds, std::size_t healthy) {
  Peers peers = spawn_peers(healthy);
  eng::EventLog log;
  auto sink = std::make_shared<CountingSink>();
  log.add_sink(sink);
  SideFigures f;
  f.side = "epoll";
  const auto t0 = Clock::now();
  const double c0 = process_cpu_seconds();
  {
    EpollHost host(peers.ports, log);
    host.run(t0 + std::chrono::seconds(seconds), f.rss);
    f.take(peers, t0, c0, *sink, log);
    f.events_delivered = host.events_delivered();
  }  // closes every connection: the peers see the stream end
  end_peers(peers);
  print_figures(f, healthy);
  std::fflush(stdout);
  return {f.peers.gaps, 0};
}

// ---------------------------------------------------------------- orchestration

// Runs one side in a fresh process, so that its RSS and CPU are its own; its figures go to
// stdout, its summary back through a pipe.
SideSummary run_side(bool engine, unsigned seconds, std::size_t healthy) {
  std::fflush(stdout);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) die("pipe2");
  const pid_t pid = ::fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    ::close(pipe_fds[0]);
    const SideSummary s = engine ? run_engine(seconds, healthy) : run_epoll(seconds, healthy);
    std::fflush(stdout);
    const bool sent = ::write(pipe_fds[1], &s, sizeof s) == static_cast<ssize_t>(sizeof s);
    ::_exit(sent ? s.status : 1);
  }
  ::close(pipe_fds[1]);
  SideSummary s;
  const bool got = ::read(pipe_fds[0], &s, sizeof s) == static_cast<ssize_t>(sizeof s);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!got || !WIFEXITED(status)) s.status = 1;  // the side died before reporting
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--serve") {
    return serve(static_cast<std::size_t>(std::atoi(argv[2])));
  }
  unsigned seconds = 60, rounds = 1;
  std::size_t healthy = 100;
  std::string only;  // "engine" or "epoll": one side only
  const auto usage = [&] {
    std::fprintf(stderr, "usage: %s [--seconds N] [--rounds R] [--healthy H] [--only engine|epoll]\n", argv[0]);
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string opt = argv[i];
    if (i + 1 >= argc) return usage();  // every option takes a value
    const char* value = argv[++i];
    if (opt == "--seconds") {
      seconds = static_cast<unsigned>(std::atoi(value));
    } else if (opt == "--rounds") {
      rounds = static_cast<unsigned>(std::atoi(value));
    } else if (opt == "--healthy") {
      healthy = static_cast<std::size_t>(std::atoi(value));
    } else if (opt == "--only") {
      only = value;
      if (only != "engine" && only != "epoll") return usage();
    } else {
      return usage();
    }
  }
  if (seconds == 0 || rounds == 0 || healthy == 0) return usage();
  std::string command_line = argv[0];
  for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];
  std::printf("hostile_bench: %s\n", command_line.c_str());
  std::printf(
      "one host, dialling on loopback: never_reads (handshakes, then floods HEARTBEATs and never reads; "
      "SO_RCVBUF %d), event_flood (floods EVENTs, reads, answers heartbeats), %zu healthy devices "
      "(%u ms heartbeat interval); %u s per side, %u round(s), engine and a plain epoll host alternately\n",
      kHostileRcvbufBytes, healthy, kIntervalMs, seconds, rounds);
  std::printf(
      "measured: heartbeat gaps at the healthy devices (peer side), event-log bytes/s per device "
      "(JSON lines counted, not written), the host's RSS each second, its events for the hostile "
      "devices, the engine's shutdown leaks\n");
  int status = 0;
  std::vector<double> p99_ratios;
  for (unsigned round = 1; round <= rounds; ++round) {
    std::printf("---- round %u of %u\n", round, rounds);
    SideSummary e, p;
    if (only != "epoll") {
      e = run_side(true, seconds, healthy);
      if (e.status != 0) status = 1;
    }
    if (only != "engine") p = run_side(false, seconds, healthy);
    if (only.empty() && e.gaps.count > 0 && p.gaps.count > 0) {
      p99_ratios.push_back(e.gaps.p99_ms / p.gaps.p99_ms);
      std::printf("  ratio (engine/epoll): heartbeat gap p99 %.3fx, max %.3fx\n", p99_ratios.back(),
                  e.gaps.max_ms / p.gaps.max_ms);
    }
    std::fflush(stdout);
  }
  if (p99_ratios.size() > 1) {
    std::printf("median of %zu rounds (engine/epoll): heartbeat gap p99 %.3fx (%.3f-%.3f)\n", p99_ratios.size(),
                median(p99_ratios), *std::min_element(p99_ratios.begin(), p99_ratios.end()),
                *std::max_element(p99_ratios.begin(), p99_ratios.end()));
  }
  if (status != 0) std::printf("the engine FAILED in at least one round (see above)\n");
  return status;
}
