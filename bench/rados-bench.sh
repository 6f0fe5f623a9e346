#!/usr/bin/env bash
# libulm on RADOS against the physical floor (one raw RADOS omap write) on
# a Ceph cluster of its own (scripts/ceph-cluster.sh), measured in one run:
# latency of one lock op and throughput at 1, 8 and 32 ops in flight.
#
#   bench/rados-bench.sh [SECONDS_PER_RUN] [memstore|bluestore]
#
# Twice: file tokens off (every lock op one guarded omap write), then on
# (the node alone on its files changes them in memory, written behind).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-3}
store=${2:-memstore}

build=$(ULM_BUILD_DIR=${ULM_BUILD_DIR:-$root/build} "$root/scripts/build.sh")
# shellcheck source=../scripts/lib/ceph.sh
. "$root/scripts/lib/ceph.sh"
work=$(mktemp -d /tmp/ulm-rados-bench.XXXXXX)
trap 'ceph_stop "$work/ceph"; rm -rf "$work"' EXIT
ceph_start "$work/ceph" "radosbench" "$store"
echo "cluster: one mon, one osd ($store), pool $CEPH_POOL, client on the same host"
for tokens in false true; do
	ceph_exec "$work/ceph" env ULM_BENCH_TOKENS=$tokens \
		"$build/bench/rados/ulm-rados-bench" "$seconds"
done
