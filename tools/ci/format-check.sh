#!/usr/bin/env bash
# Fails when a tracked C++ file is not formatted as .clang-format says, listing each one and the
# command that fixes it. Uses Debian's clang-format (tools/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
bad=()
for f in "${files[@]}"; do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if ((${#bad[@]})); then
  echo "not formatted as .clang-format says (${#bad[@]} of ${#files[@]} files):"
  printf '  %s\n' "${bad[@]}"
  echo "fix: clang-format -i ${bad[*]}"
  exit 1
fi
echo "format: ${#files[@]} C++ files as .clang-format says ($(clang-format --version))"
