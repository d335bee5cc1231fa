#!/usr/bin/env bash
# The main job: every scenario under scenarios/ played against the production engine on the
# built-in completion-port emulation, under the fault shim, with device-sim devices on loopback.
# Usage: tools/run-suite.sh [iocpsim run options]   e.g. --jobs 2 --junit scenarios.xml
# IOCPSIM_PRESET=dev runs it on the debug build instead of release.
# Exit codes are iocpsim's: 0 all passed, 1 a scenario failed, 2 a scenario file is invalid.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
preset="${IOCPSIM_PRESET:-release}"  # CI reuses its dev build
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target iocpsim
exec build/$preset/tools/iocpsim/iocpsim run scenarios/ "$@"
