# shellcheck shell=bash
# rados_lib.sh: active-active tests on one RADOS pool. Source it after
# it_lib.sh and it_setup, then:
#
#   it_rados_cluster [memstore|bluestore]   a Ceph cluster (scripts/lib/ceph.sh)
#   it_rados_node NODE ID [KEY=VALUE...]    Ganesha NODE (Node_Id ID) serving
#                                           $IT_EXPORT as /export through
#                                           UNIFIED on the pool, NFSv4
#                                           (KEYs: see sb_ganesha_conf, e.g.
#                                           dbus=1, delegations=readwrite;
#                                           protocols=3,4 on one node: NLM)
#   it_rados_client CLIENT NODE [OPTION...] an ulm-nfs-client of NODE
#
# Only loopback: every node's Ganesha runs in the network namespace of the
# first node, next to the cluster, on its own address 127.0.0.<ID>, and in
# a mount namespace of its own (so /run and /var/lib/nfs stay per node).
# The store checks of it_lib.sh read the pool (ulmctl --store, read-only
# libulm on RADOS) from inside that namespace.

# shellcheck source=scripts/lib/ceph.sh
. "$IT_SRC/../../scripts/lib/ceph.sh"

IT_CEPH=$IT_DIR/ceph
IT_RADOS_STORE=rados:ulm/export

it_rados__exit() {
	local rc=$?
	# Nodes first: a Ganesha that closes its store needs the cluster.
	sb_cleanup
	ceph_stop "$IT_CEPH" >/dev/null 2>&1 || true
	(exit "$rc")
	it__exit
}

it_rados_cluster() {
	sb_node_create n0 || it_fail "namespace for the cluster"
	trap it_rados__exit EXIT
	# Ganesha resolves Bind_Addr as IPv6 with AI_V4MAPPED | AI_ADDRCONFIG,
	# which finds nothing unless lo has addresses besides 127.0.0.1 and
	# ::1; with them each node binds ::ffff:127.0.0.<id>, its own.
	ip -n "$(sb_ns n0)" addr add 127.0.0.254/8 dev lo &&
		ip -n "$(sb_ns n0)" -6 addr add fd00::254/128 dev lo ||
		it_fail "extra loopback addresses"
	CEPH_NETNS=$(sb_ns n0) ceph_start "$IT_CEPH" "$IT_NAME" "${1:-memstore}" ||
		it_fail "Ceph cluster did not start; logs in $IT_CEPH/log"
	it_pass "Ceph cluster up (one mon, one osd, ${1:-memstore}, pool ulm)"
}

it_rados_node() {
	local node=$1 id=$2
	SB_NODE_NETNS=$(sb_ns n0) sb_node_create "$node" ||
		it_fail "node $node: namespaces"
	# NFSv3 and NLM: rpcbind and statd, for one node only (the nodes
	# share a network namespace, so one portmapper).
	case " ${*:3} " in *" protocols=3,4 "*)
		sb_rpcbind_start "$node" && sb_statd_start "$node" ||
			it_fail "node $node: rpcbind, rpc.statd"
		;;
	esac
	sb_ganesha_conf "$node" protocols=4 lease=4 graceless=true \
		bind="127.0.0.$id" store=rados ceph_conf="$IT_CEPH/ceph.conf" \
		pool=ulm namespace="$(it_node_store export "$node")" node_id="$id" \
		export="1:$IT_EXPORT:/export:UNIFIED" "${@:3}" ||
		it_fail "node $node: config"
	it_ganesha_up "$node"
}

it_rados_client() {
	it_proc_start "$1" "$2" "$ULM_IT_CLIENT" \
		--server "$(sb_ganesha_addr "$2")" --export /export \
		--name "ulmt-$1-$$" --lease-renew 1 "${@:3}"
}

# The pool's locks, one line each (as it_lib.sh's LMDB listing).
it_store_list() {
	sb_exec n0 env CEPH_CONF="$IT_CEPH/ceph.conf" \
		"$ULM_IT_INSPECT" --store "$IT_RADOS_STORE" --raw records ||
		it_fail "ulmctl could not read $IT_RADOS_STORE"
}

# it_rados_token OBJECT: the node id holding the file token of OBJECT
# (f.KEY), or nothing if none does. A failed read fails the test (its
# message is the output, which no expected value matches).
it_rados_token() {
	local vals hex
	vals=$(ceph_exec "$IT_CEPH" rados -p ulm -N export listomapvals "$1") ||
		it_fail "rados listomapvals $1 failed"
	# The value's first 4 bytes: the node, big-endian.
	hex=$(awk '$0 == "~token" { t = 1; next }
		t && $1 == "00000000" { print $2 $3 $4 $5; exit }' <<<"$vals")
	[ -z "$hex" ] || printf '%d\n' "0x$hex"
}

# it_rados_tokens: the node id of every file token in the pool, one line
# each.
it_rados_tokens() {
	local objs obj
	objs=$(ceph_exec "$IT_CEPH" rados -p ulm -N export ls) ||
		it_fail "rados ls failed"
	for obj in $(grep '^f\.' <<<"$objs"); do
		it_rados_token "$obj"
	done
}

# it_rados_token_of REGEX: the node holding the token of the file of the
# one record matching REGEX.
it_rados_token_of() {
	local key
	key=$(it_store_list | grep -E -m 1 -- "$1" | sed -n 's/^file=\([0-9a-f]*\) .*/\1/p')
	[ -n "$key" ] || it_fail "no record matches /$1/"
	it_rados_token "f.$key"
}
