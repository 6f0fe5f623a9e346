#!/usr/bin/env bash
# Operator commands at many files (issue 25): on LMDB and on RADOS (a
# memstore cluster of its own, scripts/ceph-cluster.sh), for each size
# FILES files x 10 locks filled through libulm (ulm-store-scale fill, as
# node 1), the time of a live whole listing, one file's listing and a
# lookup by id (ulm-store-scale list), then the offline listing
# `ulmctl --store ... locks` (table and --json): its time, its line count
# and its memory, against its targets.
#
#   bench/listing-bench.sh [FILES...]        (default: 1000 10000 100000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
locks=10
offline_s=60
offline_kb=$((64 * 1024))

build=$(ULM_BUILD_DIR=${ULM_BUILD_DIR:-$root/build} "$root/scripts/build.sh")
scale=$build/tests/integration/ulm-store-scale
# shellcheck source=../scripts/lib/ceph.sh
. "$root/scripts/lib/ceph.sh"
work=$(mktemp -d /tmp/ulm-listing-bench.XXXXXX)
trap 'ceph_stop "$work/ceph"; rm -rf "$work"' EXIT

# Offline listing of STORE, FORMAT table|json: time, lines, peak RSS and
# peak anonymous memory (sampled every 20 ms): an LMDB store's mapped
# pages count in RSS (page cache, shared with Ganesha), not in ulmctl's
# own memory, which the target is about.
offline() {
	local store=$1 format=$2 flag=() pid t0 s lines hwm=0 anon=0 h a
	[ "$format" = json ] && flag=(--json)
	t0=$EPOCHREALTIME
	CEPH_CONF="$work/ceph/ceph.conf" ip netns exec "$(ceph_ns "$work/ceph")" \
		"$build/dbus_admin/ulmctl" --store "$store" "${flag[@]}" locks >"$work/out" &
	pid=$!
	while read -r h a < <(awk '/^VmHWM:/ {h = $2} /^RssAnon:/ {a = $2}
			END {if (h) print h, a}' "/proc/$pid/status" 2>/dev/null); do
		((h > hwm)) && hwm=$h
		((a > anon)) && anon=$a
		sleep 0.02
	done
	wait "$pid"
	s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
	lines=$(wc -l <"$work/out")
	printf '%-28s %9s s  %8d lines  %4d MB peak RSS, %3d MB own  target < %d s, own <= %d MB  %s\n' \
		"offline listing ($format)" "$s" "$lines" $((hwm / 1024)) $((anon / 1024)) \
		"$offline_s" $((offline_kb / 1024)) "$(awk -v s="$s" -v kb="$anon" -v ms="$offline_s" \
			-v mk="$offline_kb" 'BEGIN { print (s < ms && kb <= mk) ? "PASS" : "MISS" }')"
}

ceph_start "$work/ceph" "listbench" memstore
echo "cluster: one mon, one osd (memstore), pool $CEPH_POOL; $(nproc) cores"
for files in "${sizes[@]}"; do
	for store in "lmdb:$work/lmdb-$files" "rados:$CEPH_POOL/list$files"; do
		mkdir -p "$work/lmdb-$files"
		# 10,000 files per process: a process filling 100,000 RADOS files
		# on this loaded 2-core host lost its liveness lease (twice).
		for ((first = 0; first < files; first += 10000)); do
			ceph_exec "$work/ceph" "$scale" fill "$store" 1 \
				$((files - first < 10000 ? files - first : 10000)) "$locks" "$first"
		done
		ceph_exec "$work/ceph" "$scale" list "$store" "$files" "$locks"
		offline "$store" table
		offline "$store" json
	done
done
