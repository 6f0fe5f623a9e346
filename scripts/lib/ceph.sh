# shellcheck shell=bash
# ceph.sh: a single-node Ceph cluster (one ceph-mon, one ceph-osd, no mgr)
# for tests and trials, on loopback in a network namespace of its own.
# Source it, then:
#
#   ceph_start DIR TAG [memstore|bluestore]  start; prints nothing on success
#                                            (CEPH_NETNS=NS: in that existing
#                                            namespace, left in place at stop;
#                                            CEPH_ADDR=IP: mon and osd listen
#                                            there, default 127.0.0.1)
#   ceph_exec DIR CMD...                     run CMD in the cluster's netns
#   ceph_osd_stop DIR [SIGNAL]               stop (TERM) or crash (KILL) it
#   ceph_osd_start DIR                       start the OSD again
#   ceph_unlag DIR                           a PG stuck "laggy" after the
#                                            OSD was paused: say so and
#                                            re-peer it (osd down)
#   ceph_fs_start DIR                        a CephFS "cephfs" on it (pools
#                                            cephfs_meta, cephfs_data, one
#                                            ceph-mds), once the cluster is up
#   ceph_stop DIR                            stop everything, delete the netns
#
# DIR holds everything: ceph.conf (clients use CEPH_CONF=DIR/ceph.conf
# inside the namespace), mon/ and osd/ data, logs, pids, and the name of
# the namespace (DIR/netns: ulmt-TAG-KEEPER-ceph, where KEEPER is the pid
# of a process that lives as long as the cluster, so sandbox.sh's sweep
# removes the namespace of a run that died). Settings from RECIPES.md:
# auth none, pool size 1, fast paxos, short client ticks. The pool is
# `ulm`. memstore is fast but not durable across kill -9; bluestore keeps
# its data in a sparse file DIR/block.
#
# Safe under `set -euo pipefail`: functions return non-zero and say why.

CEPH_TIMEOUT=${CEPH_TIMEOUT:-30}
# Clients that find no monitor give up after this many seconds.
CEPH_CLIENT_TIMEOUT=${CEPH_CLIENT_TIMEOUT:-10}
CEPH_POOL=${CEPH_POOL:-ulm}
CEPH_ADDR=${CEPH_ADDR:-127.0.0.1}
# A PG's read lease, as a multiple of osd heartbeat grace (20 s); Ceph's
# default is 0.8 (16 s, renewed every 8 s). An OSD paused longer than
# half of it can find its PGs past their lease when it resumes, and a
# PG of a one-OSD pool then stays "laggy" for good, every op waiting for
# readable (ceph/ceph pull 71663, open): a test that pauses its OSD
# raises it (2: 40 s, renewed every 20 s).
CEPH_READ_LEASE_RATIO=${CEPH_READ_LEASE_RATIO:-0.8}

# sb_pid_alive, sb_wait_until: one definition for every daemon we start.
# shellcheck source=scripts/lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/sandbox.sh"

ceph_err() { printf 'ceph.sh: ERROR: %s\n' "$*" >&2; }

ceph_ns() { cat "$1/netns"; }

ceph_exec() {
	local dir=$1
	shift
	CEPH_CONF="$dir/ceph.conf" ip netns exec "$(ceph_ns "$dir")" "$@"
}

ceph_write_conf() {
	local dir=$1 store=$2
	cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $(cat "$dir/fsid")
mon host = v2:$CEPH_ADDR:3300
mon initial members = a
public addr = $CEPH_ADDR
auth cluster required = none
auth service required = none
auth client required = none
keyring = $dir/keyring
run dir = $dir/run
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
osd pool default read lease ratio = $CEPH_READ_LEASE_RATIO
osd crush chooseleaf type = 0
paxos propose interval = 0.01
paxos min wait = 0.01
osd class load list = *
osd class default list = *

[mon]
mon data = $dir/mon

[osd]
osd data = $dir/osd
osd objectstore = $store
memstore device bytes = 1073741824
bluestore block path = $dir/block
bluestore block create = true
bluestore block size = 4294967296
bluestore cache size = 67108864
bdev aio poll ms = 10
osd fast shutdown = false

[client]
client mount timeout = $CEPH_CLIENT_TIMEOUT
objecter tick interval = 0.5
objecter timeout = 1
EOF
}

# ceph_daemon DIR NAME CMD...: start a daemon in the namespace, detached
# from the caller's stdio (ctest waits for its pipes to close).
ceph_daemon() {
	local dir=$1 name=$2
	shift 2
	setsid ip netns exec "$(ceph_ns "$dir")" "$@" -f -c "$dir/ceph.conf" \
		</dev/null >>"$dir/log/$name.out" 2>&1 &
	echo $! >"$dir/$name.pid"
	disown $!
}

ceph_ready() { ceph_exec "$1" rados -p "$CEPH_POOL" put ulm.ready /dev/null \
	>/dev/null 2>&1; }

ceph_mon_start() {
	local dir=$1
	monmaptool --create --fsid "$(cat "$dir/fsid")" \
		--addv a "[v2:$CEPH_ADDR:3300]" "$dir/monmap" >/dev/null || return 1
	ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. \
		--cap mon 'allow *' >/dev/null || return 1
	ceph-mon --mkfs -i a -c "$dir/ceph.conf" --monmap "$dir/monmap" \
		--keyring "$dir/keyring" >>"$dir/log/mkfs.out" 2>&1 || {
		ceph_err "ceph-mon --mkfs failed; see $dir/log/mkfs.out"
		return 1
	}
	ceph_daemon "$dir" mon ceph-mon -i a
}

ceph_osd_create() {
	local dir=$1 id uuid
	uuid=$(cat /proc/sys/kernel/random/uuid)
	id=$(ceph_exec "$dir" ceph --connect-timeout 10 osd new "$uuid") || {
		ceph_err "the monitor does not answer; see $dir/log/mon.a.log"
		return 1
	}
	[ "$id" = 0 ] || {
		ceph_err "expected osd id 0, got '$id'"
		return 1
	}
	mkdir -p "$dir/osd"
	ceph_exec "$dir" ceph-osd --mkfs -i 0 --osd-uuid "$uuid" \
		-c "$dir/ceph.conf" >>"$dir/log/mkfs.out" 2>&1 || {
		ceph_err "ceph-osd --mkfs failed; see $dir/log/mkfs.out"
		return 1
	}
}

ceph_osd_start() {
	local dir=$1
	ceph_daemon "$dir" osd ceph-osd -i 0
	ceph_wait_ready "$dir"
}

ceph_wait_ready() {
	local dir=$1
	sb_wait_until "$CEPH_TIMEOUT" ceph_ready "$dir" || {
		ceph_err "the OSD serves no write after ${CEPH_TIMEOUT}s; see $dir/log/osd.0.log"
		return 1
	}
}

ceph_start() {
	local dir=$1 tag=$2 store=${3:-memstore}
	case $store in memstore | bluestore) ;; *)
		ceph_err "object store '$store' is neither memstore nor bluestore"
		return 1
		;;
	esac
	rm -rf "$dir"
	mkdir -p "$dir/log" "$dir/run" || return 1
	if [ -n "${CEPH_NETNS:-}" ]; then
		echo "$CEPH_NETNS" >"$dir/netns"
		touch "$dir/netns.borrowed"
	else
		ceph_netns_create "$dir" "$tag" || return 1
	fi
	cat /proc/sys/kernel/random/uuid >"$dir/fsid"
	ceph_write_conf "$dir" "$store"
	ceph_mon_start "$dir" || return 1
	ceph_osd_create "$dir" || return 1
	ceph_daemon "$dir" osd ceph-osd -i 0
	ceph_exec "$dir" ceph --connect-timeout 10 osd pool create \
		"$CEPH_POOL" 8 8 >>"$dir/log/mkfs.out" 2>&1 || {
		ceph_err "could not create pool $CEPH_POOL; see $dir/log/mkfs.out"
		return 1
	}
	ceph_wait_ready "$dir"
}

ceph_netns_create() {
	local dir=$1 tag=$2 keeper
	# The keeper's pid names the namespace: while it lives, the cluster is
	# in use; sandbox.sh sweeps the namespace of a keeper that is gone.
	setsid sleep infinity </dev/null >/dev/null 2>&1 &
	keeper=$!
	disown $keeper
	echo "$keeper" >"$dir/keeper.pid"
	echo "ulmt-$tag-$keeper-ceph" >"$dir/netns"
	ip netns add "$(ceph_ns "$dir")" || return 1
	ip -n "$(ceph_ns "$dir")" link set lo up
}

# ceph_stop_daemon DIR NAME [SIGNAL]: signal it and wait until it is gone.
ceph_stop_daemon() {
	local dir=$1 name=$2 sig=${3:-TERM} pid
	pid=$(cat "$dir/$name.pid" 2>/dev/null) || return 0
	sb_pid_alive "$pid" || return 0
	kill "-$sig" "$pid" 2>/dev/null || true
	sb_wait_until "$CEPH_TIMEOUT" eval "! sb_pid_alive $pid" && return 0
	ceph_err "$name (pid $pid) ignored SIG$sig; killing it"
	kill -9 "$pid" 2>/dev/null || true
	return 1
}

ceph_osd_stop() { ceph_stop_daemon "$1" osd "${2:-TERM}"; }

# ceph_unlag DIR: if ops wait for a laggy PG ("waiting for readable": see
# CEPH_READ_LEASE_RATIO above), say so and mark the OSD down:
# it re-peers and comes back up at once, laggy cleared. Prints nothing
# when no op waits.
ceph_unlag() {
	local dir=$1 waiting
	waiting=$(ceph_exec "$dir" timeout 10 ceph --admin-daemon \
		"$dir/run/osd.0.asok" dump_ops_in_flight 2>/dev/null |
		grep -c '"waiting for readable"' || true)
	[ "$waiting" -gt 0 ] || return 0
	echo "Ceph: $waiting ops wait for a laggy PG (its read lease ran out" \
		"while the OSD was paused); marking osd.0 down to re-peer it"
	ceph_exec "$dir" timeout 10 ceph osd down 0 >/dev/null 2>&1 ||
		ceph_err "ceph osd down 0 failed"
}

ceph_mds_active() { ceph_exec "$1" ceph mds stat 2>/dev/null | grep -q 'up:active'; }

ceph_fs_start() {
	local dir=$1 pool
	for pool in cephfs_meta cephfs_data; do
		ceph_exec "$dir" ceph --connect-timeout 10 osd pool create \
			"$pool" 8 8 >>"$dir/log/mkfs.out" 2>&1 || {
			ceph_err "could not create pool $pool; see $dir/log/mkfs.out"
			return 1
		}
	done
	ceph_exec "$dir" ceph fs new cephfs cephfs_meta cephfs_data \
		>>"$dir/log/mkfs.out" 2>&1 || {
		ceph_err "ceph fs new failed; see $dir/log/mkfs.out"
		return 1
	}
	mkdir -p "$dir/mds"
	ceph_daemon "$dir" mds ceph-mds -i a --mds_data "$dir/mds"
	sb_wait_until "$CEPH_TIMEOUT" ceph_mds_active "$dir" || {
		ceph_err "no active MDS after ${CEPH_TIMEOUT}s; see $dir/log/mds.a.log"
		return 1
	}
}

ceph_stop() {
	local dir=$1 rc=0 ns
	[ -f "$dir/netns" ] || return 0
	ns=$(ceph_ns "$dir")
	ceph_stop_daemon "$dir" mds || rc=1
	ceph_stop_daemon "$dir" osd || rc=1
	ceph_stop_daemon "$dir" mon || rc=1
	[ -e "$dir/netns.borrowed" ] && return $rc
	ceph_stop_daemon "$dir" keeper KILL || true
	ip netns del "$ns" 2>/dev/null || true
	return $rc
}
