#!/usr/bin/env bash
# Run every test from a fresh machine: install what is missing, build, then
#  1. libulm's unit tests under AddressSanitizer + UBSan,
#  2. the full suite (unit, style, integration against real daemons).
# This is the README's test command; .ci/run calls exactly this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ULM_BUILD_DIR:-$root/build}
jobs=$(nproc)

"$root/scripts/install-deps.sh"

echo "== sanitizer pass (ASan/UBSan): libulm unit tests"
cmake -S "$root" -B "$build-asan" -DULM_SANITIZE=ON -DULM_WITH_FSAL=OFF \
	-DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build-asan" -j"$jobs" >/dev/null
(cd "$build-asan" && ctest -R '^unit\.' --output-on-failure -j"$jobs")

echo "== full suite"
cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" -j"$jobs" >/dev/null
cd "$build"
ctest --output-on-failure -j"$jobs" "$@"
