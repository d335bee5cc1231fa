// Encoder and decoder throughput for TELEMETRY frames of several payload sizes, next to memcpy of
// the same bytes as the reference. Run: build/release/tools/bench/protocol_bench
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "iocpsim/protocol/crc32c.hpp"
#include "iocpsim/protocol/decoder.hpp"
#include "iocpsim/protocol/encoder.hpp"

namespace {

using namespace iocpsim::protocol;

constexpr std::size_t kSamplesOverhead = 16;  // telemetry fields before the samples' bytes

std::vector<std::uint8_t> samples_of(std::size_t payload_bytes) {
  std::vector<std::uint8_t> samples(payload_bytes - kSamplesOverhead);
  for (std::size_t i = 0; i < samples.size(); ++i) samples[i] = static_cast<std::uint8_t>(i * 31);
  return samples;
}

// One encoded TELEMETRY frame whose payload is `payload_bytes` long.
std::vector<std::uint8_t> telemetry_frame(std::size_t payload_bytes) {
  const std::vector<std::uint8_t> samples = samples_of(payload_bytes);
  std::vector<std::uint8_t> frame(payload_bytes + kFrameOverhead);
  encode(Telemetry{1, 1, 1, samples}, 1, frame);
  return frame;
}

void count(benchmark::State& state, std::size_t frames_per_iteration, std::size_t bytes_per_iteration) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frames_per_iteration));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes_per_iteration));
}

void BM_Decode(benchmark::State& state) {
  const std::vector<std::uint8_t> frame = telemetry_frame(static_cast<std::size_t>(state.range(0)));
  Decoder decoder;
  for (auto _ : state) {
    DecodeResult r = decoder.put(frame);
    benchmark::DoNotOptimize(r);
    if (r.status != DecodeStatus::frame) state.SkipWithError("frame not decoded");
  }
  count(state, 1, frame.size());
}

void BM_Encode(benchmark::State& state) {
  const std::vector<std::uint8_t> samples = samples_of(static_cast<std::size_t>(state.range(0)));
  const Message m = Telemetry{1, 1, 1, samples};
  std::vector<std::uint8_t> out(frame_size(m));
  std::uint32_t seq = 0;
  for (auto _ : state) {
    EncodeResult r = encode(m, seq++, out);
    benchmark::DoNotOptimize(r);
    benchmark::ClobberMemory();
  }
  count(state, 1, out.size());
}

void BM_Memcpy(benchmark::State& state) {
  const std::vector<std::uint8_t> frame = telemetry_frame(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint8_t> copy(frame.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(copy.data());
    std::memcpy(copy.data(), frame.data(), frame.size());
    benchmark::ClobberMemory();
  }
  count(state, 1, frame.size());
}

void BM_Crc32c(benchmark::State& state) {
  const std::vector<std::uint8_t> frame = telemetry_frame(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(crc32c(0, frame.data(), frame.size()));
  count(state, 1, frame.size());
}

// Many frames back to back in one buffer (about 1 MiB), decoded in a loop as a reader would.
void BM_DecodeStream(benchmark::State& state) {
  const std::vector<std::uint8_t> frame = telemetry_frame(static_cast<std::size_t>(state.range(0)));
  const std::size_t frames = std::max<std::size_t>(1, (1u << 20) / frame.size());
  std::vector<std::uint8_t> stream;
  for (std::size_t i = 0; i < frames; ++i) stream.insert(stream.end(), frame.begin(), frame.end());
  Decoder decoder;
  for (auto _ : state) {
    Bytes rest(stream);
    while (!rest.empty()) {
      DecodeResult r = decoder.put(rest);
      benchmark::DoNotOptimize(r);
      rest = rest.subspan(r.consumed);
    }
  }
  count(state, frames, stream.size());
}

void payload_sizes(benchmark::internal::Benchmark* b) {
  for (std::int64_t bytes : {16, 64, 1024, 16384}) b->Arg(bytes);
  b->ArgName("payload_bytes");
}

BENCHMARK(BM_Decode)->Apply(payload_sizes);
BENCHMARK(BM_Encode)->Apply(payload_sizes);
BENCHMARK(BM_Memcpy)->Apply(payload_sizes);
BENCHMARK(BM_Crc32c)->Apply(payload_sizes);
BENCHMARK(BM_DecodeStream)->Apply(payload_sizes);

}  // namespace

BENCHMARK_MAIN();
