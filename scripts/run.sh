#!/usr/bin/env bash
# The main job: ganesha.nfsd serving a directory through UNIFIED over VFS on
# the embedded LMDB lock store, over NFSv3 (NLM, rpcbind, rpc.statd) and
# NFSv4, in a network namespace of its own (ulm-demo, on its loopback),
# with a system bus of its own carrying Ganesha's DBus interfaces and ULM's
# lock manager (org.ganesha.nfsd.lockmgr, for ulmctl).
#
#   scripts/run.sh [start]   install, build, install the FSAL, start
#   scripts/run.sh status    is it running, and where
#   scripts/run.sh stop      stop it (locks stay in the store)
#
# State lives in $ULM_RUN_DIR (default /var/lib/ulm-demo): export/, store/,
# and node/demo/ with ganesha.conf and ganesha.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${ULM_RUN_DIR:-/var/lib/ulm-demo}
node=demo
pseudo=/ulm

# shellcheck source=lib/sandbox.sh
. "$root/scripts/lib/sandbox.sh"
SB_TIMEOUT=30

running() {
	[ -e "$state/node/$node/holder.pid" ] && sb_alive "$node" ganesha
}

describe() {
	local dir=$state/node/$node client=$root/build/tests/integration/client/ulm-nfs-client
	cat <<TXT
ULM is serving $state/export as $pseudo (NFSv3 with NLM, and NFSv4)
through FSAL UNIFIED over VFS, in network namespace $(sb_ns "$node"), on 127.0.0.1.
  config:     $dir/ganesha.conf
  log:        $dir/ganesha.log
  lock store: $state/store (LMDB)
Try it (no kernel NFS client here; libnfs's tools and our test client):
  ip netns exec $(sb_ns "$node") nfs-ls 'nfs://127.0.0.1$pseudo?version=4'
  ip netns exec $(sb_ns "$node") $client --server 127.0.0.1 --export $pseudo
      then type:  v4 open hello.txt both   /   v4 lock write 0 100   /   quit
Who holds which lock (ulmctl: this Ganesha over DBus; or the store, without it):
  nsenter -t $(sb_holder_pid "$node") -n -m ulmctl locks
  ulmctl --store $state/store records
Stop it:
  $root/scripts/run.sh stop
TXT
}

start() {
	local build fsal_dir
	build=$(ULM_BUILD_DIR=$root/build "$root/scripts/build.sh")
	cmake --install "$build" >/dev/null
	fsal_dir=$(sed -n 's/^GANESHA_FSAL_DIR:PATH=//p' "$build/CMakeCache.txt")
	SB_UNIFIED_MODULE=$fsal_dir/libfsalunified.so
	# The private bus reads the lock manager's policy where it was
	# installed, as the system bus would.
	SB_DBUS_POLICIES=$(sed -n 's/^ULM_DBUS_POLICY_DIR:PATH=//p' \
		"$build/CMakeCache.txt")/org.ganesha.nfsd.lockmgr.conf
	if running; then
		echo "already running"
		describe
		return 0
	fi
	sb_node_destroy "$node" 2>/dev/null || true
	mkdir -p "$state/export" "$state/store"
	sb_node_create "$node"
	sb_rpcbind_start "$node"
	sb_statd_start "$node"
	sb_ganesha_conf "$node" protocols=3,4 grace=10 lease=30 \
		store=lmdb store_path="$state/store" node_id=1 \
		export="1:$state/export:$pseudo:UNIFIED/VFS" dbus=1
	sb_ganesha_start "$node"
	served || {
		sb_ganesha_log_since_start "$node" | grep -E ':(CRIT|MAJ) :' >&2
		echo "run.sh: Ganesha runs but does not serve $pseudo (its" \
			"errors above; log: $state/node/$node/ganesha.log)" >&2
		exit 1
	}
	describe
}

# Ganesha keeps running with an export it refused: ask as a client would.
served() {
	sb_exec "$node" nfs-ls "nfs://127.0.0.1$pseudo?version=4" >/dev/null 2>&1
}

stop() {
	if [ ! -e "$state/node/$node/holder.pid" ]; then
		echo "not running"
		return 0
	fi
	sb_stop "$node" ganesha TERM || true
	sb_node_destroy "$node"
	echo "stopped; the lock store stays in $state/store"
}

[ "$(id -u)" = 0 ] || {
	echo "run.sh: run as root (it starts daemons in a network namespace)" >&2
	exit 1
}
sb_init "$state/node" ulm
case ${1:-start} in
start) start ;;
stop) stop ;;
status) if running; then describe; else echo "not running"; exit 3; fi ;;
*)
	echo "usage: $0 [start|status|stop]" >&2
	exit 2
	;;
esac
