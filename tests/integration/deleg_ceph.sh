#!/usr/bin/env bash
# it.deleg_ceph: over CEPH, UNIFIED stacks on FSAL_CEPH's own delegations
# (libcephfs), so that a CephFS client libulm does not know recalls the
# delegation. Two Ganesha nodes export one CephFS through UNIFIED over
# CEPH, each with a lock store of its own: node 2's opens are to node 1
# what a CephFS kernel client or another cluster would be. Client A holds
# a read delegation through node 1; B's write open through node 2 makes
# CephFS recall node 1's libcephfs delegation, which Ganesha turns into a
# CB_RECALL to A; B's open waits in libcephfs until A returns it. A write
# delegation is not granted (FSAL_CEPH grants none). Both nodes stop
# cleanly.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup deleg_ceph
it_need ULM_IT_INSPECT "ulm-store-inspect"
# shellcheck source=tests/integration/rados_lib.sh
. "$IT_SRC/rados_lib.sh"

RECALL_BOUND_MS=3000 # from B's OPEN to A's CB_RECALL

it_rados_cluster memstore
ceph_fs_start "$IT_CEPH" || it_fail "CephFS did not start"
it_pass "CephFS up (one mds)"

# ceph_node NODE ID: Ganesha NODE exporting the CephFS root through
# UNIFIED over CEPH, its LMDB store its own. FSAL_CEPH names its CephFS
# session after the recovery backend's node id (else the host name, the
# same for both nodes, and the second would evict the first's session):
# rados_ng with a RADOS_KV nodeid per node.
ceph_node() {
	local node=$1 id=$2 dir
	SB_NODE_NETNS=$(sb_ns n0) sb_node_create "$node" ||
		it_fail "node $node: namespaces"
	mkdir -p "$IT_STORE/$node"
	sb_ganesha_conf "$node" protocols=4 lease=4 graceless=true \
		bind="127.0.0.$id" store=lmdb store_path="$IT_STORE/$node" \
		node_id="$id" sync=true delegations=readwrite \
		export="1:/:/export:UNIFIED/CEPH" recovery=rados_ng \
		raw="CEPH { Ceph_Conf = \"$IT_CEPH/ceph.conf\"; }
RADOS_KV { ceph_conf = \"$IT_CEPH/ceph.conf\"; pool = \"ulm\";
	namespace = \"recovery\"; nodeid = \"$node\"; }" ||
		it_fail "node $node: config"
	dir=$(sb_node_dir "$node")
	ln -sfn "$(dirname "$SB_VFS_MODULE")/libfsalceph.so" \
		"$dir/plugins/libfsalceph.so"
	it_ganesha_up "$node"
}

ceph_node n1 1
ceph_node n2 2
it_rados_client a n1 --callback # the holder
it_rados_client b n2            # a CephFS client libulm does not know
# (NFSv4.0: an open-owner's first OPEN is never delegated)
it_expect a "v4 open confirm-owner read" OK
it_expect b "v4 open g0 write" OK
it_expect b "v4 close" OK

now_ms() { date +%s%3N; }

it_note "B's write open through node 2 recalls A's read delegation"
it_expect a "v4 open g0 read" "OK deleg=read"
t0=$(now_ms)
# Sent, not waited for: it waits in libcephfs until A returns.
printf '%s\n' "v4 open g0 write" >&"${IT_FD_IN[b]}"
it_expect_within 5 a "v4 recalls" "RECALLS 1"
took=$(($(now_ms) - t0))
it_note "CB_RECALL received ${took} ms after B's OPEN was sent"
it_expect_value "recall within ${RECALL_BOUND_MS} ms" within \
	"$( ((took <= RECALL_BOUND_MS)) && echo within || echo "${took} ms")"
sleep 1 # B would long have its reply without the delegation
if IFS= read -r -t 0.1 -u "${IT_FD_OUT[b]}" line; then
	early="answered: $line"
else
	early=waiting
fi
it_expect_value "B's OPEN still waits after the recall" waiting "$early"
t_return=$(now_ms)
it_expect a "v4 delegreturn" OK
IFS= read -r -t "$IT_REPLY_TIMEOUT" -u "${IT_FD_OUT[b]}" IT_REPLY ||
	IT_REPLY="(no reply)"
t_done=$(now_ms)
it_expect_value "B's OPEN, answered after A's DELEGRETURN" OK "$IT_REPLY"
it_note "B's OPEN took $((t_done - t0)) ms, answered" \
	"$((t_done - t_return)) ms after A's DELEGRETURN was sent"
it_expect a "v4 close" OK
it_expect b "v4 close" OK

it_note "no write delegation over CEPH"
it_expect a "v4 open g1 both" OK
it_expect a "v4 close" OK
it_expect_value "no recall beyond the one" "RECALLS 1" \
	"$(it_send a "v4 recalls" && echo "$IT_REPLY")"

it_note "both nodes stop cleanly (UNIFIED releases FSAL_CEPH's export in its own context)"
for node in n1 n2; do
	sb_stop "$node" ganesha TERM || it_fail "node $node: Ganesha did not stop cleanly"
	it_pass "node $node: ganesha.nfsd ended with status $(sb_status "$node" ganesha) after SIGTERM"
done
