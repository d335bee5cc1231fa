# Sourced by the CI scripts that run the programs as separate processes.
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
