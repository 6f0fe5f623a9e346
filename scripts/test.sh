#!/usr/bin/env bash
# Run every test from a fresh machine: install what is missing, build, then
#  1. libulm's unit tests under AddressSanitizer + UBSan,
#  2. the full suite (unit, style, integration against real daemons).
# Each build is configured with its options spelled out (a cache left by an
# earlier configure cannot drop a part), and each pass must run every test
# it defines: one skipped, not run or missing fails the command.
# This is the README's test command; .ci/run calls exactly this.
# Arguments go to the full suite's ctest (then only what they select must run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ULM_BUILD_DIR:-$root/build}
jobs=$(nproc)

# run_ctest DIR [SCRIPTS_DIR] [CTEST_ARGS...]: ctest in DIR, then check
# that what ran is all that is defined for that selection.
run_ctest() {
	local dir=$1 scripts=$2 rc=0 defined
	shift 2
	defined=$(cd "$dir" && ctest -N "$@" | sed -n 's/^Total Tests: //p')
	(cd "$dir" && ctest --output-on-failure -j"$jobs" \
		--output-junit "$dir/ctest-results.xml" "$@") || rc=$?
	python3 "$root/scripts/lib/check-run.py" "$dir/ctest-results.xml" \
		"$defined" $scripts || { [ "$rc" != 0 ] || rc=1; }
	return "$rc"
}

echo "== sanitizer pass (ASan/UBSan): libulm unit tests"
ULM_BUILD_DIR=$build-asan "$root/scripts/build.sh" -DULM_SANITIZE=ON \
	-DULM_WITH_FSAL=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
run_ctest "$build-asan" "" -R '^unit\.'

echo "== full suite"
ULM_BUILD_DIR=$build "$root/scripts/build.sh" -DULM_SANITIZE=OFF \
	-DULM_WITH_FSAL=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ $# -eq 0 ]; then
	run_ctest "$build" "$root/tests/integration"
else
	run_ctest "$build" "" "$@"
fi
