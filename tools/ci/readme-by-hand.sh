#!/usr/bin/env bash
# Runs the README's "Trying the parts by hand" commands as written (on this preset's build instead
# of release): the two device-sim example files and hostd with its example config must connect —
# every device of the config reaches session_ready, pump-1's EVENT 301 and flaky-framer's split
# EVENT arrive — and a SIGINT must drain hostd polite, with zero leaked contexts.
# Usage: tools/ci/readme-by-hand.sh      (exit 0: every check passed; 1: a check failed)
set -euo pipefail
cd "$(dirname "$0")/../.."
preset="${IOCPSIM_PRESET:-release}"  # CI reuses its dev build
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target device-sim hostd

# The commands of the README's block, in order: the build line is left out (done above).
mapfile -t commands < <(awk '/^## Trying the parts by hand/{on=1; next} on && /^```sh/{block=1; next}
                             block && /^```/{exit} block' README.md | grep -v '^cmake ')
[ "${#commands[@]}" -eq 3 ] || { echo "FAIL: expected 3 commands in the README's by-hand block, found ${#commands[@]}"; exit 1; }

work="$(mktemp -d /tmp/iocpsim-byhand.XXXXXX)"
log=hostd-events.jsonl  # host/hostd/hostd.example.json's log_path, relative to where hostd runs
rm -f "$log"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -f "$log"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; cp -f "$log" "$work/" 2>/dev/null || true; echo "logs kept in $work"; exit 1; }
# shellcheck source=process-checks.sh
. tools/ci/process-checks.sh

i=0
for c in "${commands[@]}"; do
  c="${c%%#*}"                      # the comment
  c="${c//build\/release/build\/$preset}"
  c="${c%"${c##*[![:space:]]}"}"    # trailing blanks
  c="${c%&}"                        # each runs in the background here, hostd too
  echo "by hand: $c"
  # shellcheck disable=SC2086
  $c >"$work/out.$i" 2>&1 &
  pids+=("$!")
  i=$((i + 1))
done
host_pid="${pids[2]}"

for device in pump-1 flaky-framer hard-to-reach; do
  await "$log" "\"device\":\"$device\",\(\"device_id\":\"[^\"]*\",\)\?\"event\":\"session_ready\"" "$device did not connect"
  echo "ok: $device connected (session_ready)"
done
await "$log" '"code":301,"device":"pump-1","event":"device_event"' "pump-1's EVENT 301 was not delivered"
echo "ok: pump-1's EVENT 301 delivered"
await "$log" '"code":7,"device":"flaky-framer","event":"device_event"' "flaky-framer's split EVENT was not delivered"
echo "ok: flaky-framer's split EVENT delivered whole beside its telemetry"

drain_hostd "$host_pid" "$log"
echo "by hand: 6 passed, 0 failed"
rm -rf "$work"
