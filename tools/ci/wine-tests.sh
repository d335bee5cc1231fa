#!/usr/bin/env bash
# Cross-builds the Windows targets with mingw-w64 and runs their tests under Wine.
# Recipe and traps: ../shared/WINDOWS.md. A run that executes no test fails.
# Usage: tools/ci/wine-tests.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."

export WINEPREFIX="${WINEPREFIX:-$(mktemp -d /tmp/iocpsim-wine.XXXXXX)}"
export WINEDEBUG=-all WINEARCH=win64
unset DISPLAY
mkdir -p "$WINEPREFIX"
cleanup() { wineserver -k >/dev/null 2>&1 || true; }
trap cleanup EXIT

# A persistent server, detached from our pipes: without it every run whose stderr is a pipe
# waits ~2.5 s for the server to time out.
wineserver -p </dev/null >/dev/null 2>&1
# Create the prefix and start its services here, detached from our pipes: a Wine service started
# later by a test would inherit that test's stdout and keep ctest waiting until the timeout.
# `wineboot -u`, not `-i`: in a fresh prefix `-i` leaves a Service Control Manager under which every
# service start, Wine's own MountMgr included, times out with 1053 (Wine 8.0, measured).
t0=$SECONDS
wineboot -u </dev/null >/dev/null 2>&1
echo "wine: prefix ready in $((SECONDS - t0))s at $WINEPREFIX ($(wine --version 2>/dev/null))"

cmake --preset mingw
cmake --build --preset mingw

log="$(mktemp)"
set +e
# In parallel like the host stages: most of a test's time here is Wine starting the program.
# The service round trip runs alone, after these (below).
ctest --preset mingw --timeout 120 -j"$(nproc)" -LE service "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# Guard against a fake pass (e.g. a program that exits 0 printing nothing): demand a count > 0.
total=$(sed -n 's/.*tests passed, [0-9]* tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -n1)
# A test program that failed without printing a single line never reached main(): GoogleTest
# prints (and flushes) its banner first. Seen once in about 1800 program starts under Wine 8.0,
# in 0.03 s, not reproducible since; that is Wine failing to start a process, not a test result.
# Only when every failure is of that kind are those tests run once more, named here; a failure
# with any output, a timeout, or a second silent failure fails the stage.
silent=$(awk '
  function flush() { if (name != "" && printed == 0) print name; name = "" }
  /\*\*\*Failed/ { flush(); name = $4; printed = 0; next }
  /^ *Start +[0-9]+:/ || /^ *[0-9]+\/[0-9]+ Test +#/ || /tests passed/ { flush(); next }
  name != "" && NF > 0 { printed++ }
  END { flush() }' "$log")
failed=$(grep -E '\*\*\*(Failed|Timeout|Exception|Not Run)' "$log" | grep -vc 'Not Run (Disabled)' || true)
rm -f "$log"
if [ "$rc" -ne 0 ] && [ -n "$silent" ] && [ "$(printf '%s\n' "$silent" | wc -l)" -eq "$failed" ]; then
  echo "wine: these tests failed without printing anything (the program never started); running them once more:"
  printf '  %s\n' $silent
  set +e
  ctest --preset mingw --timeout 120 --rerun-failed --output-on-failure -LE service "$@"
  rc=$?
  set -e
fi
if [ "$rc" -ne 0 ]; then echo "wine: tests failed (ctest exit $rc)"; exit "$rc"; fi
if [ -z "$total" ] || [ "$total" -eq 0 ]; then echo "wine: no test ran"; exit 1; fi
echo "wine: $total tests ran under Wine"

# hostd under the Service Control Manager: created, started, stopped, drained with zero leaks
# (tests/hostd/service_test.cpp). It runs alone, after the others.
ctest --preset mingw --timeout 300 -L service --output-on-failure "$@"

# hostd's service entry point: outside the Service Control Manager it must reach
# StartServiceCtrlDispatcher and be told so (1063), not run as a console program.
set +e
out="$(wine build/mingw/host/hostd/hostd.exe --service host/hostd/hostd.example.json </dev/null 2>&1)"
svc_rc=$?
set -e
case "$out" in
  *"not started by the Service Control Manager (error 1063)"*) ;;
  *) echo "wine: hostd --service: unexpected answer (exit $svc_rc): $out"; exit 1 ;;
esac
[ "$svc_rc" -eq 1 ] || { echo "wine: hostd --service exited $svc_rc, expected 1"; exit 1; }
echo "wine: hostd --service reached the Service Control Manager's dispatcher"
