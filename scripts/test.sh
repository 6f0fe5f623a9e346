#!/usr/bin/env bash
# Run every test from a fresh machine: install what is missing, build, then
#  1. libulm's unit tests under AddressSanitizer + UBSan,
#  2. the full suite (unit, style, integration against real daemons).
# This is the README's test command; .ci/run calls exactly this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ULM_BUILD_DIR:-$root/build}
jobs=$(nproc)

echo "== sanitizer pass (ASan/UBSan): libulm unit tests"
ULM_BUILD_DIR=$build-asan "$root/scripts/build.sh" -DULM_SANITIZE=ON \
	-DULM_WITH_FSAL=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
(cd "$build-asan" && ctest -R '^unit\.' --output-on-failure -j"$jobs")

echo "== full suite"
ULM_BUILD_DIR=$build "$root/scripts/build.sh" >/dev/null
cd "$build"
ctest --output-on-failure -j"$jobs" "$@"
