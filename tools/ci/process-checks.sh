# Sourced by the CI scripts that run the programs as separate processes. Both helpers call the
# script's own fail() when a check does not hold.
# await FILE PATTERN WHAT: polls a JSON-lines log for a pattern, with a generous ceiling (these are
# real processes on real sockets; the ceiling is never what is waited for). On the ceiling it calls
# the script's own fail() with WHAT.
await() {
  local file="$1" pattern="$2" what="$3"
  for _ in $(seq 1 300); do
    grep -q -- "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "$what (no '$pattern' in $file within 30 s)"
}

# drain_hostd PID LOG: SIGINT to hostd, which must exit 0 with a polite drain and zero leaked
# contexts in its event log's shutdown_drained.
drain_hostd() {
  local pid="$1" log="$2" rc=0
  kill -INT "$pid"
  wait "$pid" || rc=$?
  [ "$rc" -eq 0 ] || fail "hostd exited $rc after SIGINT"
  local drained
  drained="$(grep '"shutdown_drained"' "$log" || true)"
  [ -n "$drained" ] || fail "no shutdown_drained event"
  echo "$drained" | grep -q '"leaked_op_contexts":0' || fail "op contexts leaked: $drained"
  echo "$drained" | grep -q '"leaked_connection_contexts":0' || fail "connection contexts leaked: $drained"
  echo "$drained" | grep -q '"polite":true' || fail "the drain was not polite: $drained"
  echo "ok: SIGINT drain, polite, zero leaked contexts"
}
