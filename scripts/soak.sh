#!/usr/bin/env bash
# Soak libulm's RADOS store: the model-checked random test and the threads
# test (their file-token cases included) and the token suite, run over and
# over, several at once, against a Ceph cluster of its own, for SECONDS.
#
#   scripts/soak.sh [SECONDS] [BUILD_DIR]      defaults: 1800, build
#
# Prints one line per suite (runs, failures) and keeps the output of every
# failed run in BUILD_DIR/soak/ (each names its ULM_SEED to replay it).
# Exits 1 if any run failed. Needs root (network namespace) and a build.
set -euo pipefail
# shellcheck source=lib/ceph.sh
. "$(dirname "$0")/lib/ceph.sh"

seconds=${1:-1800}
build=$(realpath "${2:-build}")
out=$build/soak
unit=$build/tests/unit
# name and binary of each loop: three random loops (the most sensitive to
# a stale view), one threads loop, one token-suite loop
loops=("random1 test_random" "random2 test_random" "random3 test_random"
	"threads test_threads" "tokens test_rados_tokens")

for l in "${loops[@]}"; do
	[ -x "$unit/${l#* }" ] || {
		echo "soak: $unit/${l#* } missing: build first" >&2
		exit 2
	}
done
rm -rf "$out"
mkdir -p "$out"
ceph_start "$out/ceph" soak-$$ memstore >/dev/null
trap 'ceph_stop "$out/ceph"' EXIT

# soak_loop NAME BINARY: run BINARY until the deadline; NAME.count says
# "runs failures", each failed run's output is kept as NAME.fail.N.
soak_loop() {
	local name=$1 bin=$2 end=$(($(date +%s) + seconds)) runs=0 fails=0
	while [ "$(date +%s)" -lt "$end" ]; do
		runs=$((runs + 1))
		if ! ceph_exec "$out/ceph" "$unit/$bin" rados >"$out/$name.last" 2>&1; then
			fails=$((fails + 1))
			cp "$out/$name.last" "$out/$name.fail.$runs"
		fi
		echo "$runs $fails" >"$out/$name.count"
	done
}

for l in "${loops[@]}"; do
	soak_loop $l &
done
wait

total=0
for l in "${loops[@]}"; do
	read -r runs fails <"$out/${l%% *}.count"
	printf '%-8s %-18s runs %5d  failed %d\n' "${l%% *}" "${l#* }" "$runs" "$fails"
	total=$((total + fails))
done
[ "$total" -eq 0 ] || {
	echo "soak: $total failed runs, outputs in $out/*.fail.*" >&2
	exit 1
}
