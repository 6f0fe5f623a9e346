#!/usr/bin/env bash
# A takeover's work at scale (issue 25): on RADOS (a memstore cluster of
# its own, scripts/ceph-cluster.sh), for each size FILES files x 10 locks
# filled through libulm as node 1 (ulm-store-scale fill), node 2 begins
# node 1's recovery and times the recovery scan (ulm_recovery_pending())
# and the purge at grace end (ulm_node_purge()), each against 10 s, with
# the time per file as raw omap reads (the scan) and as raw omap writes of
# as many keys removed, 32 in flight (the purge), of the same cluster (the
# anchors).
#
#   bench/recovery-scale-bench.sh [FILES...]    (default: 3330 33300)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(3330 33300)
locks=10

build=$(ULM_BUILD_DIR=${ULM_BUILD_DIR:-$root/build} "$root/scripts/build.sh")
scale=$build/tests/integration/ulm-store-scale
# shellcheck source=../scripts/lib/ceph.sh
. "$root/scripts/lib/ceph.sh"
work=$(mktemp -d /tmp/ulm-recovery-scale.XXXXXX)
trap 'ceph_stop "$work/ceph"; rm -rf "$work"' EXIT

ceph_start "$work/ceph" "recscale" memstore
echo "cluster: one mon, one osd (memstore), pool $CEPH_POOL; $(nproc) cores"
for files in "${sizes[@]}"; do
	store="rados:$CEPH_POOL/recover$files"
	echo "== $files files x $locks locks of node 1 ($((files * locks)) records)"
	# 10,000 files per process (bench/listing-bench.sh: a process filling
	# far more lost its liveness lease on this loaded host).
	for ((first = 0; first < files; first += 10000)); do
		ceph_exec "$work/ceph" "$scale" fill "$store" 1 \
			$((files - first < 10000 ? files - first : 10000)) "$locks" "$first"
	done
	ceph_exec "$work/ceph" "$scale" recover "$store" 1 "$files" "$locks"
done
