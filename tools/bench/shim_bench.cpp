// The fault shim's pass-through cost: the same completion-port work straight on the emulation
// and through FaultInjectingIoApi with no rule armed, in the same run.
//
//   pair:     one thread posts a packet and dequeues it (GQCS), the per-call cost with nothing
//             else moving; journal off and on;
//   threaded: one producer posts, one consumer dequeues (as iocp_bench's port benchmark);
//   batch:    posts 64, takes them with one GQCSEx;
//   send:     a 64-byte WSASend over loopback, its completion, and the peer's recv — the shim's
//             cost on a real operation (op tracking included).
//
// Stacks: direct (the emulation), forwarder (a decorator that only forwards: the cost of one
// more virtual call, the floor for any decorator), shim (journal off: the pass-through the ≤ 3%
// bar is about), shim+journal.
//
// Run with the release preset: build/release/tools/bench/shim_bench --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "iocpsim/iocp/emulated_io_api.hpp"
#include "iocpsim/iocp/fault_injecting_io_api.hpp"
#include "iocpsim/iocp/forwarding_io_api.hpp"

namespace {

using iocpsim::iocp::EmulatedIoApi;
using iocpsim::iocp::FaultInjectingIoApi;
using iocpsim::iocp::FaultOptions;
using iocpsim::iocp::IoApi;

constexpr int kPacketsPerIteration = 100'000;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "shim_bench: %s failed\n", what);
    std::abort();
  }
}

// A decorator that only forwards: the floor under any IoApi decorator (one more virtual call
// per call), measured so the shim's own share can be told apart from it.
using Forwarder = iocpsim::iocp::ForwardingIoApi;

// The stack under test: 0 the emulation, 1 the shim (journal off), 2 the shim (journal on),
// 3 the forwarding decorator.
struct Stack {
  explicit Stack(int kind)
      : shim(emu, FaultOptions{1, nullptr, kind == 2, std::size_t{1} << 16}),
        forwarder(emu),
        io(kind == 0   ? static_cast<IoApi&>(emu)
           : kind == 3 ? static_cast<IoApi&>(forwarder)
                       : static_cast<IoApi&>(shim)) {}
  EmulatedIoApi emu;
  FaultInjectingIoApi shim;
  Forwarder forwarder;
  IoApi& io;
};

const char* label(int kind) {
  static const char* const kLabels[] = {"direct", "shim", "shim+journal", "forwarder"};
  return kLabels[kind];
}

void BM_PostThenDequeue(benchmark::State& state) {
  Stack stack(static_cast<int>(state.range(0)));
  IoApi& io = stack.io;
  const HANDLE port = io.CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  OVERLAPPED marker{};
  OVERLAPPED* posted = state.range(1) != 0 ? &marker : nullptr;
  for (auto _ : state) {
    for (int i = 1; i <= kPacketsPerIteration; ++i) {
      io.PostQueuedCompletionStatus(port, 0, static_cast<ULONG_PTR>(i), posted);
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      OVERLAPPED* ov = nullptr;
      check(io.GetQueuedCompletionStatus(port, &bytes, &key, &ov, 0) == TRUE, "GQCS");
    }
  }
  io.CloseHandle(port);
  state.SetLabel(label(static_cast<int>(state.range(0))));
  state.SetItemsProcessed(state.iterations() * kPacketsPerIteration);
}
BENCHMARK(BM_PostThenDequeue)
    ->ArgNames({"stack", "with_ov"})
    ->Args({0, 0})
    ->Args({3, 0})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({0, 1})
    ->Args({3, 1})
    ->Args({1, 1})
    ->Unit(benchmark::kMillisecond);

void BM_ProducerConsumer(benchmark::State& state) {
  Stack stack(static_cast<int>(state.range(0)));
  IoApi& io = stack.io;
  const HANDLE port = io.CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  for (auto _ : state) {
    std::thread consumer([&] {
      for (;;) {
        DWORD bytes = 0;
        ULONG_PTR key = 0;
        OVERLAPPED* ov = nullptr;
        check(io.GetQueuedCompletionStatus(port, &bytes, &key, &ov, INFINITE) == TRUE, "GQCS");
        if (key == 0) return;
      }
    });
    for (int i = 1; i <= kPacketsPerIteration; ++i) {
      io.PostQueuedCompletionStatus(port, 0, static_cast<ULONG_PTR>(i), nullptr);
    }
    io.PostQueuedCompletionStatus(port, 0, 0, nullptr);
    consumer.join();
  }
  io.CloseHandle(port);
  state.SetLabel(label(static_cast<int>(state.range(0))));
  state.SetItemsProcessed(state.iterations() * kPacketsPerIteration);
}
BENCHMARK(BM_ProducerConsumer)->ArgName("stack")->Arg(0)->Arg(3)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_PostBatchThenDequeueEx(benchmark::State& state) {
  constexpr ULONG kBatch = 64;
  constexpr int kBatches = kPacketsPerIteration / static_cast<int>(kBatch);
  Stack stack(static_cast<int>(state.range(0)));
  IoApi& io = stack.io;
  const HANDLE port = io.CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  std::vector<OVERLAPPED_ENTRY> entries(kBatch);
  for (auto _ : state) {
    for (int b = 0; b < kBatches; ++b) {
      for (ULONG k = 1; k <= kBatch; ++k) io.PostQueuedCompletionStatus(port, 0, k, nullptr);
      ULONG removed = 0;
      check(
          io.GetQueuedCompletionStatusEx(port, entries.data(), kBatch, &removed, 0, FALSE) == TRUE && removed == kBatch,
          "GQCSEx");
    }
  }
  io.CloseHandle(port);
  state.SetLabel(label(static_cast<int>(state.range(0))));
  state.SetItemsProcessed(state.iterations() * kBatches * kBatch);
}
BENCHMARK(BM_PostBatchThenDequeueEx)->ArgName("stack")->Arg(0)->Arg(3)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// A loopback connection: the engine side through the stack under test, the peer on the backend.
struct Loopback {
  explicit Loopback(Stack& stack, HANDLE port) : emu(stack.emu) {
    const SOCKET listener = emu.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    check(emu.bind(listener, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0, "bind");
    check(emu.listen(listener, 1) == 0, "listen");
    int len = sizeof addr;
    emu.getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
    engine = stack.io.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    check(stack.io.connect(engine, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0, "connect");
    peer = emu.accept(listener, nullptr, nullptr);
    emu.closesocket(listener);
    check(stack.io.CreateIoCompletionPort(reinterpret_cast<HANDLE>(engine), port, 1, 0) == port, "associate");
  }
  EmulatedIoApi& emu;
  SOCKET engine = INVALID_SOCKET;
  SOCKET peer = INVALID_SOCKET;
};

void BM_SendThenDequeue(benchmark::State& state) {
  constexpr int kSends = 10'000;
  Stack stack(static_cast<int>(state.range(0)));
  IoApi& io = stack.io;
  const HANDLE port = io.CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  Loopback link(stack, port);
  char data[64] = {};
  char sink[64];
  for (auto _ : state) {
    for (int i = 0; i < kSends; ++i) {
      OVERLAPPED ov{};
      WSABUF b{sizeof data, data};
      DWORD sent = 0;
      io.WSASend(link.engine, &b, 1, &sent, 0, &ov, nullptr);
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      OVERLAPPED* got = nullptr;
      check(io.GetQueuedCompletionStatus(port, &bytes, &key, &got, INFINITE) == TRUE, "send");
      for (int taken = 0; taken < static_cast<int>(sizeof sink);) {  // the emulation has no MSG_WAITALL
        const int n = stack.emu.recv(link.peer, sink + taken, static_cast<int>(sizeof sink) - taken, 0);
        check(n > 0, "peer recv");
        taken += n;
      }
    }
  }
  io.closesocket(link.engine);
  stack.emu.closesocket(link.peer);
  io.CloseHandle(port);
  state.SetLabel(label(static_cast<int>(state.range(0))));
  state.SetItemsProcessed(state.iterations() * kSends);
}
BENCHMARK(BM_SendThenDequeue)->ArgName("stack")->Arg(0)->Arg(3)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
