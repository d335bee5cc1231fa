// Benchmarks of the completion-port emulation against asio doing the same job in the same run.
//
//   port throughput: post + dequeue pairs per second, one producer and one or two consumers,
//                    GQCS and GQCSEx (1, 16, 64 entries per call), vs io_context post + run_one;
//   TCP streaming:   64 KiB receives over loopback while a peer thread writes as fast as it can,
//                    MB/s and process CPU seconds per GB, vs asio async_read_some.
//
// Run with the release preset: build/release/tools/bench/iocp_bench
#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <asio.hpp>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include "iocpsim/iocp/io_api_backend.hpp"

namespace {

using iocpsim::iocp::IoApi;

constexpr int kPacketsPerIteration = 100'000;
constexpr std::size_t kStreamBytesPerIteration = std::size_t{256} << 20;
constexpr std::size_t kReceiveBytes = 64 * 1024;

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "iocp_bench: %s failed\n", what);
    std::abort();
  }
}

// ---------------------------------------------------------------- port throughput

// Takes packets until the sentinel (key 0); entries_per_call 0 means GetQueuedCompletionStatus.
// Returns how many dequeue calls it made.
std::uint64_t consume(IoApi& io, HANDLE port, ULONG entries_per_call) {
  std::uint64_t calls = 0;
  if (entries_per_call == 0) {
    for (;;) {
      ++calls;
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      OVERLAPPED* ov = nullptr;
      check(io.GetQueuedCompletionStatus(port, &bytes, &key, &ov, INFINITE) == TRUE, "GQCS");
      if (key == 0) return calls;
    }
  }
  std::vector<OVERLAPPED_ENTRY> entries(entries_per_call);
  for (;;) {
    ULONG removed = 0;
    ++calls;
    check(io.GetQueuedCompletionStatusEx(port, entries.data(), entries_per_call, &removed, INFINITE, FALSE) == TRUE,
          "GQCSEx");
    for (ULONG i = 0; i < removed; ++i) {
      if (entries[i].lpCompletionKey == 0) return calls;
    }
  }
}

// range(0): consumer threads; range(1): entries per GQCSEx call (0: plain GQCS).
void BM_EmulatedPort_PostAndDequeue(benchmark::State& state) {
  const auto consumers = static_cast<int>(state.range(0));
  const auto entries = static_cast<ULONG>(state.range(1));
  auto io = iocpsim::iocp::make_default_io_api();
  const HANDLE port = io->CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  std::atomic<std::uint64_t> calls{0};
  for (auto _ : state) {
    std::vector<std::thread> workers;
    for (int c = 0; c < consumers; ++c) {
      workers.emplace_back([&] { calls.fetch_add(consume(*io, port, entries), std::memory_order_relaxed); });
    }
    for (int i = 1; i <= kPacketsPerIteration; ++i) {
      io->PostQueuedCompletionStatus(port, 0, static_cast<ULONG_PTR>(i), nullptr);
    }
    for (int c = 0; c < consumers; ++c) io->PostQueuedCompletionStatus(port, 0, 0, nullptr);
    for (auto& w : workers) w.join();
  }
  io->CloseHandle(port);
  state.SetItemsProcessed(state.iterations() * kPacketsPerIteration);
  // Packets (sentinels included) per dequeue call: how well a batch fills.
  state.counters["packets_per_call"] = static_cast<double>(state.iterations() * (kPacketsPerIteration + consumers)) /
                                       static_cast<double>(calls.load() == 0 ? 1 : calls.load());
}
BENCHMARK(BM_EmulatedPort_PostAndDequeue)
    ->ArgNames({"consumers", "ex_entries"})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({1, 1})
    ->Args({1, 16})
    ->Args({1, 64})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Set by the sentinel handler on the thread that ran it, like a key-0 packet.
thread_local bool t_consumer_done = false;

// range(0): consumer threads.
void BM_AsioIoContext_PostAndRunOne(benchmark::State& state) {
  const auto consumers = static_cast<int>(state.range(0));
  asio::io_context ctx;
  auto guard = asio::make_work_guard(ctx);
  std::atomic<long> handled{0};
  for (auto _ : state) {
    std::vector<std::thread> workers;
    for (int c = 0; c < consumers; ++c) {
      workers.emplace_back([&] {
        t_consumer_done = false;
        while (!t_consumer_done) ctx.run_one();
      });
    }
    for (int i = 1; i <= kPacketsPerIteration; ++i) {
      asio::post(ctx, [&handled] { handled.fetch_add(1, std::memory_order_relaxed); });
    }
    for (int c = 0; c < consumers; ++c) asio::post(ctx, [] { t_consumer_done = true; });
    for (auto& w : workers) w.join();
  }
  state.SetItemsProcessed(state.iterations() * kPacketsPerIteration);
}
BENCHMARK(BM_AsioIoContext_PostAndRunOne)
    ->ArgNames({"consumers"})
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------- TCP streaming

// A plain listening socket on 127.0.0.1, port 0.
int raw_listener(std::uint16_t* port_number) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  check(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0, "bind");
  check(::listen(fd, 4) == 0, "listen");
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port_number = ntohs(a.sin_port);
  return fd;
}

// The peer: writes `bytes` as fast as it can with blocking send.
void write_flat_out(int fd, std::size_t bytes) {
  std::vector<char> chunk(kReceiveBytes, 'x');
  while (bytes > 0) {
    const std::size_t n = bytes < chunk.size() ? bytes : chunk.size();
    const ssize_t sent = ::send(fd, chunk.data(), n, MSG_NOSIGNAL);
    check(sent > 0, "peer send");
    bytes -= static_cast<std::size_t>(sent);
  }
}

// Reports throughput and process CPU per GB (both sides: the peer's sends count too).
void report_stream(benchmark::State& state, double cpu_seconds) {
  const double bytes = static_cast<double>(state.iterations()) * kStreamBytesPerIteration;
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["cpu_s_per_GB"] = cpu_seconds / (bytes / 1e9);
}

// Connects an emulated socket to a raw listener with ConnectEx; returns the peer's fd.
int connect_emulated(IoApi& io, HANDLE port, SOCKET s) {
  std::uint16_t port_number = 0;
  const int listener = raw_listener(&port_number);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  check(io.bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0, "emulated bind");
  check(io.CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), port, 1, 0) == port, "associate");
  a.sin_port = htons(port_number);
  OVERLAPPED ov{};
  DWORD sent = 0;
  io.ConnectEx(s, reinterpret_cast<sockaddr*>(&a), sizeof a, nullptr, 0, &sent, &ov);
  const int peer = ::accept(listener, nullptr, nullptr);
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  OVERLAPPED* done = nullptr;
  check(io.GetQueuedCompletionStatus(port, &bytes, &key, &done, INFINITE) == TRUE, "ConnectEx");
  io.setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0);
  ::close(listener);
  return peer;
}

void BM_EmulatedTcp_Receive64KiB(benchmark::State& state) {
  auto io = iocpsim::iocp::make_default_io_api();
  const HANDLE port = io->CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  const SOCKET s = io->socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  const int peer = connect_emulated(*io, port, s);
  std::vector<char> buf(kReceiveBytes);
  double cpu_seconds = 0;
  for (auto _ : state) {
    const double cpu0 = process_cpu_seconds();
    std::thread writer(write_flat_out, peer, kStreamBytesPerIteration);
    std::size_t got = 0;
    while (got < kStreamBytesPerIteration) {
      WSABUF b{static_cast<ULONG>(buf.size()), buf.data()};
      DWORD flags = 0;
      DWORD n = 0;
      OVERLAPPED ov{};
      const int rc = io->WSARecv(s, &b, 1, &n, &flags, &ov, nullptr);
      check(rc == 0 || io->WSAGetLastError() == WSA_IO_PENDING, "WSARecv");
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      OVERLAPPED* done = nullptr;
      check(io->GetQueuedCompletionStatus(port, &bytes, &key, &done, INFINITE) == TRUE, "GQCS");
      got += bytes;
    }
    writer.join();
    cpu_seconds += process_cpu_seconds() - cpu0;
  }
  ::close(peer);
  io->closesocket(s);
  io->CloseHandle(port);
  report_stream(state, cpu_seconds);
}
BENCHMARK(BM_EmulatedTcp_Receive64KiB)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_AsioTcp_Receive64KiB(benchmark::State& state) {
  asio::io_context ctx(1);
  std::uint16_t port_number = 0;
  const int listener = raw_listener(&port_number);
  asio::ip::tcp::socket sock(ctx);
  sock.connect({asio::ip::address_v4::loopback(), port_number});
  const int peer = ::accept(listener, nullptr, nullptr);
  ::close(listener);
  std::vector<char> buf(kReceiveBytes);
  double cpu_seconds = 0;
  for (auto _ : state) {
    const double cpu0 = process_cpu_seconds();
    std::thread writer(write_flat_out, peer, kStreamBytesPerIteration);
    std::size_t got = 0;
    std::function<void(const asio::error_code&, std::size_t)> on_read;
    on_read = [&](const asio::error_code& ec, std::size_t n) {
      check(!ec, "async_read_some");
      got += n;
      if (got < kStreamBytesPerIteration) sock.async_read_some(asio::buffer(buf), on_read);
    };
    sock.async_read_some(asio::buffer(buf), on_read);
    ctx.run();
    ctx.restart();
    writer.join();
    cpu_seconds += process_cpu_seconds() - cpu0;
  }
  ::close(peer);
  report_stream(state, cpu_seconds);
}
BENCHMARK(BM_AsioTcp_Receive64KiB)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
