#!/usr/bin/env bash
# iocpsim as another project uses it. Installs this preset's build into a prefix; builds and runs
# tests/consumer against it (find_package) and the engine consumer through pkg-config; builds
# and runs the consumer again with iocpsim as a subdirectory (none of iocpsim's tests may join the
# consumer's); makes the Debian package with cpack, installs it, runs the installed programs on
# the installed files, and removes it.
# Usage: tools/ci/package.sh        (exit 0: every check passed)
set -euo pipefail
cd "$(dirname "$0")/../.."
preset="${IOCPSIM_PRESET:-release}"  # CI reuses its dev build
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"

work="$(mktemp -d /tmp/iocpsim-package.XXXXXX)"
deb_installed=0
cleanup() {
  if [ "$deb_installed" -eq 1 ]; then dpkg -r iocpsim >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
tests_of() { ctest --test-dir "$1" -N | sed -n 's/^Total Tests: //p'; }

cmake --install "build/$preset" --prefix "$work/prefix" >"$work/install.log"
echo "ok: installed into a prefix ($(wc -l <"$work/install.log") files)"

cmake -S tests/consumer -B "$work/installed" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/installed"
ctest --test-dir "$work/installed" --output-on-failure
[ "$(tests_of "$work/installed")" = 2 ] || fail "the installed-package consumer has $(tests_of "$work/installed") tests, not 2"
echo "ok: a consumer builds and runs against the installed package (find_package)"

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
c++ tests/consumer/engine_consumer.cpp $(pkg-config --cflags --libs iocpsim) -o "$work/engine_pkg_config"
"$work/engine_pkg_config"
echo "ok: the engine consumer builds with pkg-config's flags alone"

cmake -S tests/consumer -B "$work/subdir" -G Ninja -DIOCPSIM_SOURCE_DIR="$PWD" >/dev/null
cmake --build "$work/subdir"
ctest --test-dir "$work/subdir" --output-on-failure
[ "$(tests_of "$work/subdir")" = 2 ] || fail "through add_subdirectory the consumer has $(tests_of "$work/subdir") tests, not 2"
echo "ok: a consumer builds and runs with iocpsim as a subdirectory, and gets none of its tests"

(cd "build/$preset" && cpack -G DEB -B "$work/deb" >"$work/cpack.log") || { cat "$work/cpack.log"; fail "cpack"; }
deb="$(ls "$work"/deb/iocpsim_*.deb)"
dpkg -i "$deb" >/dev/null
deb_installed=1
echo "ok: $(basename "$deb") installs ($(dpkg-deb -f "$deb" Depends))"
iocpsim --version
hostd --version
device-sim --version
hostd --check /usr/share/iocpsim/examples/hostd.example.json
device-sim --check /usr/share/iocpsim/examples/device-sim/faithful.json
iocpsim validate /usr/share/iocpsim/scenarios >/dev/null
iocpsim run /usr/share/iocpsim/scenarios/basic --world sim
echo "ok: the installed programs run on the installed scenarios and examples"
echo "package: 5 passed, 0 failed"
