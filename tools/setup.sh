#!/usr/bin/env bash
# Installs every build and test dependency of iocpsim from Debian packages.
# Idempotent: when everything is present it only checks and returns (well under a second).
# Usage: tools/setup.sh            (as root, or with sudo available)
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build ccache make pkg-config lld
  # tests, benchmarks, fuzzing
  libgtest-dev libgmock-dev googletest libbenchmark-dev clang libclang-rt-14-dev
  # libraries
  libasio-dev nlohmann-json3-dev libcli11-dev libcpp-httplib-dev
  # checking the scenario schema against the library; the format check
  python3-jsonschema clang-format
  # the Windows build and the Wine runs
  mingw-w64 g++-mingw-w64-x86-64-posix wine wine64
  # rendering the HTML timeline in a test; packaging (cpack's DEB: dpkg-shlibdeps)
  chromium dpkg-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
