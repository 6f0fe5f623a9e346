#!/usr/bin/env bash
# it.nlm_free_all: an NFSv3 client host that rebooted loses every lock and
# share it held, in the table every node shares, and nothing of anyone
# else's: by NLM_FREE_ALL, and by SM_NOTIFY (the host's statd tells the
# server's rpc.statd, which calls Ganesha's NLM). A waiter on node 2
# blocked on a freed range is granted (libulm's wake crosses nodes).
#
# Configuration as documented (docs/fsal-unified.md): Ganesha's defaults
# NSM_Use_Caller_Name = false (an NFSv3 client host is its address: each
# host has its own here) and Enable_UDP = true (rpc.statd passes SM_NOTIFY
# on to NLM over UDP only).
#
# Ganesha 4.3 crashes on FREE_ALL / SM_NOTIFY of a host holding an
# NLM_SHARE (it follows the share's freed owner, issue #1110): UNIFIED
# holds that owner (fsal_unified/share.c); this test crashes node 1
# without it.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup nlm_free_all
it_need ULM_IT_INSPECT "ulm-store-inspect"

it_unified_node n1 3,4 1 udp=true
it_unified_node n2 3,4 2
it_client_host hb n1 10.92.1.2 10.92.1.1
it_client_host hc n2 10.92.2.2 10.92.2.1
it_client_start a n1        # another client, on node 1
it_nlm_client_start b hb    # the host that reboots
it_nlm_client_start c hc    # waits through node 2
B='client=10\.92\.1\.2 '

# hold: B's locks of two owners and a share, A's lock, C queued on node 2.
hold() {
	it_expect b "nlm svid 1" OK
	it_expect b "nlm lock write 0 100 f" OK
	it_expect b "nlm svid 2" OK
	it_expect b "nlm lock read 200 10 f" OK
	it_expect b "nlm share read deny write g" OK
	it_expect a "nlm lock write 0 10 h" OK
	it_expect c "nlm lock write 50 10 f block" BLOCKED
	it_expect_store "B's two locks" "kind=lock .*$B" 2
	it_expect_store "B's share" "type=share .*$B" 1
	it_expect_store "C waits on node 2" 'type=wait-write .*node=2 ' 1
	it_expect a "v4 open g write" "ERR NFS4ERR_SHARE_DENIED"
}

# freed: nothing of B's is left; C got B's range, A keeps its lock.
freed() {
	it_expect c "nlm granted 5" "GRANTED write 50 10 1"
	it_expect c "nlm granted 1" NONE # exactly one grant
	it_expect_store "nothing of B's is left" "$B" 0
	it_expect_store "C holds the freed range, on node 2" \
		'type=write start=50 end=59 proto=nlm kind=lock node=2 ' 1
	it_expect_store "A's lock is untouched" \
		'type=write start=0 end=9 proto=nlm kind=lock node=1 .*client=ulmt-a-' 1
	it_expect a "nlm lock write 200 10 f" OK
	it_expect a "v4 open g write" OK
	it_expect a "v4 close" OK
	it_expect a "nlm unlock 0 0 f" OK
	it_expect a "nlm unlock 0 0 h" OK
	it_expect c "nlm unlock 0 0 f" OK
	it_expect_store "no lock left" 'kind=lock' 0
}

it_note "NLM_FREE_ALL from B's host"
hold
it_expect b "nlm free_all 7" OK
freed

it_note "SM_NOTIFY from B's host, through node 1's rpc.statd"
hold
it_expect b "nsm notify 9" OK
freed
it_expect_value "node 1's rpc.statd passed B's SM_NOTIFY on to Ganesha's NLM" \
	"*Callback to * (for 10.92.1.2) succeeded" \
	"$(grep -m 1 'Callback to .* (for 10.92.1.2)' "$(sb_node_dir n1)/statd.out")"
