#!/usr/bin/env bash
# Builds the fuzz preset (clang, libFuzzer, ASan+UBSan) and runs the decoder fuzzer for the given
# number of seconds, starting from a copy of the committed seed corpus. Exits non-zero on any
# finding; the reproducer is left in build/fuzz/findings/ (crash-*, leak-*, timeout-*), to be
# replayed with: build/fuzz/tests/fuzz/decoder_fuzz build/fuzz/findings/<file>
# Usage: tools/ci/fuzz.sh SECONDS
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:?usage: tools/ci/fuzz.sh SECONDS}"
cmake --preset fuzz
cmake --build --preset fuzz --target decoder_fuzz

corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
cp tests/fuzz/corpus/decoder/* "$corpus"/
findings=build/fuzz/findings
mkdir -p "$findings"

# -max_len covers the largest frame (64 KiB) plus the two control bytes and a following frame.
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  build/fuzz/tests/fuzz/decoder_fuzz "$corpus" -max_total_time="$seconds" -max_len=70000 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/"
