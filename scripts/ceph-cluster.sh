#!/usr/bin/env bash
# A single-node Ceph cluster for tests and trials (scripts/lib/ceph.sh):
#
#   ceph-cluster.sh start DIR [memstore|bluestore]   one mon, one osd, pool ulm
#   ceph-cluster.sh exec DIR CMD...                  CMD in its namespace,
#                                                    with CEPH_CONF set
#   ceph-cluster.sh unlag DIR                        re-peer a PG stuck laggy
#                                                    after the OSD was paused
#   ceph-cluster.sh stop DIR
#
# Example: ceph-cluster.sh start /tmp/c && ceph-cluster.sh exec /tmp/c rados lspools
set -euo pipefail
# shellcheck source=lib/ceph.sh
. "$(dirname "$0")/lib/ceph.sh"

usage() {
	sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$(realpath -m "$2")
shift 2
case $cmd in
start) ceph_start "$dir" "${CEPH_TAG:-ceph}" "${1:-memstore}" ;;
exec) ceph_exec "$dir" "$@" ;;
unlag) ceph_unlag "$dir" ;;
stop) ceph_stop "$dir" ;;
*) usage ;;
esac
