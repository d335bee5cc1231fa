#!/usr/bin/env bash
# Builds the fuzz preset (clang, libFuzzer, ASan+UBSan) and runs each fuzzer for the given number
# of seconds: the frame decoder from a copy of its committed seed corpus, the readers of
# scenario files, device-sim scripts and hostd configs from the scenario library, device-sim's
# examples and hostd's example config, and
# the engine's protocol session from what the library's devices send (session_corpus).
# Exits non-zero on any finding; the reproducer is left in build/fuzz/findings/ (crash-*, leak-*,
# timeout-*), to be replayed with: build/fuzz/tests/fuzz/<fuzzer> build/fuzz/findings/<file>
# Usage: tools/ci/fuzz.sh SECONDS
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:?usage: tools/ci/fuzz.sh SECONDS}"
cmake --preset fuzz
cmake --build --preset fuzz --target decoder_fuzz scenario_load_fuzz session_fuzz session_corpus

corpus="$(mktemp -d)"
scenario_corpus="$(mktemp -d)"
session_corpus="$(mktemp -d)"
trap 'rm -rf "$corpus" "$scenario_corpus" "$session_corpus"' EXIT
cp tests/fuzz/corpus/decoder/* "$corpus"/
i=0
while IFS= read -r -d '' f; do cp "$f" "$scenario_corpus/seed-$((i++)).json"; done \
  < <(find scenarios device-sim/examples tests/scenario/data host/hostd -name '*.json' ! -name schema.json -print0)
findings=build/fuzz/findings
mkdir -p "$findings"

# -max_len covers the largest frame (64 KiB) plus the two control bytes and a following frame.
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  build/fuzz/tests/fuzz/decoder_fuzz "$corpus" -max_total_time="$seconds" -max_len=70000 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/"

echo "fuzz: scenario, device-sim script and hostd config readers, ${seconds} s from ${i} seed files"
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  build/fuzz/tests/fuzz/scenario_load_fuzz "$scenario_corpus" -max_total_time="$seconds" -max_len=16384 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/"

ASAN_OPTIONS="detect_leaks=1" build/fuzz/tests/fuzz/session_corpus "$session_corpus" scenarios
echo "fuzz: the engine's protocol session, ${seconds} s"
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  build/fuzz/tests/fuzz/session_fuzz "$session_corpus" -max_total_time="$seconds" -max_len=16384 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/"
