#!/usr/bin/env bash
# Sets up, builds and runs every test (Debug, warnings as errors).
# Usage: tools/run-tests.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev -j"$(nproc)" "$@"
