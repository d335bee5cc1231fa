#!/usr/bin/env bash
# hostd end to end, as separate processes: the production engine (hostd, on the emulated
# completion port) against a scripted device-sim device over loopback — connect, handshake, heartbeats, telemetry, a device EVENT — then a
# SIGINT-started drain that must end polite with zero leaked contexts, and the device must see
# the host's goodbye and close.
# Usage: tools/ci/hostd-e2e.sh            (exit 0: every check passed; 1: a check failed)
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/setup.sh
preset="${IOCPSIM_PRESET:-release}"  # CI reuses its dev build
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target device-sim hostd

bin=build/$preset
work="$(mktemp -d /tmp/iocpsim-suite.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "logs kept in $work"; exit 1; }

# shellcheck source=process-checks.sh
. tools/ci/process-checks.sh

"$bin/device-sim/device-sim" --listen 127.0.0.1:0 --seed 1 --exit-when-done \
  device-sim/examples/faithful.json >"$work/device.jsonl" 2>"$work/device.err" &
dev_pid=$!; pids+=("$dev_pid")
await "$work/device.jsonl" '"listening"' "device-sim did not start listening"
port="$(grep -m1 '"listening"' "$work/device.jsonl" | sed 's/.*"port":\([0-9]*\).*/\1/')"
echo "device-sim: pump-1 listening on 127.0.0.1:$port"

cat >"$work/hostd.json" <<JSON
{
  "workers": 2,
  "log_path": "$work/events.jsonl",
  "shutdown_timeout_ms": 2000,
  "devices": [ {"name": "pump-1", "host": "127.0.0.1", "port": $port, "heartbeat_interval_ms": 500} ]
}
JSON
"$bin/host/hostd/hostd" "$work/hostd.json" >"$work/hostd.out" 2>&1 &
host_pid=$!; pids+=("$host_pid")

await "$work/events.jsonl" '"session_ready"' "the handshake did not complete"
echo "ok: handshake (session_ready)"
await "$work/events.jsonl" '"heartbeat_sent"' "no heartbeat was sent"
echo "ok: heartbeat sent"
await "$work/events.jsonl" '"code":301' "the device's EVENT 301 was not delivered"
echo "ok: device EVENT delivered"

drain_hostd "$host_pid" "$work/events.jsonl"

await "$work/device.jsonl" '"event":"frame_received","message":{"reason":"shutting_down"' \
  "the device did not receive the host's BYE"
await "$work/device.jsonl" '"op":"close_graceful"' "the device did not close after the goodbye"
echo "ok: the device received the host's BYE, answered and closed"
echo "suite: 5 passed, 0 failed"
rm -rf "$work"
