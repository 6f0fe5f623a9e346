#!/usr/bin/env bash
# it.rados_deleg: delegations and the client lifecycle on a RADOS pool
# shared by two Ganesha nodes (a real single-node Ceph cluster). A
# conflicting open through node 2 recalls node 1's delegation through
# node 1's mailbox object (CB_RECALL seen by the holder), the return drops
# the record from the pool; an expired client's lock, open and delegation
# all leave the pool.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup rados_deleg
it_need ULM_IT_INSPECT "ulm-store-inspect"
# shellcheck source=tests/integration/rados_lib.sh
. "$IT_SRC/rados_lib.sh"

it_rados_cluster memstore
# libulm's records, unwatched: over VFS a write delegation, or a read one
# beside the other node's fds (one host: both nodes open the same files),
# needs Delegations_Unwatched (it.deleg_outside tests the watch).
it_rados_node n1 1 delegations=readwrite deleg_unwatched=true
it_rados_node n2 2 delegations=readwrite deleg_unwatched=true
it_rados_client a n1 --callback
it_rados_client b n2
it_rados_client c n2
# (NFSv4.0: an open-owner's first OPEN is never delegated)
it_expect a "v4 open confirm-owner read" OK

it_note "a recall across nodes on RADOS"
it_expect a "v4 open f read" "OK deleg=read"
it_expect_store "the delegation is in the pool" \
	'type=deleg-read start=0 end=eof proto=nfs4 kind=client node=1 .*client=ulmt-a-' 1
it_expect b "v4 open f write" "ERR NFS4ERR_DELAY"
it_expect_within 5 a "v4 recalls" "RECALLS 1"
it_expect b "v4 open f write" "ERR NFS4ERR_DELAY"
it_expect a "v4 delegreturn" OK
it_expect_store "DELEGRETURN dropped it from the pool" 'type=deleg' 0
it_expect b "v4 open f write" OK
it_expect b "v4 close" OK

it_note "client expiry on RADOS"
it_expect a "v4 open g read" "OK deleg=read"
it_expect a "v4 open h both" "OK deleg=write"
it_expect a "v4 lock write 0 0" OK
it_expect c "v4 open g read" OK
it_expect c "v4 lock read 0 1" OK
it_expect_store "A's records (four opens, two delegations, a lock)" 'node=1 .*client=ulmt-a-' 7
it_expect a "v4 expire" OK
it_expect_store_within 32 "A expired: nothing of A left in the pool" \
	'client=ulmt-a-' 0
it_expect_store "C's records stay" 'node=2 .*client=ulmt-c-' 2
it_expect b "v4 open h both" OK
it_expect b "v4 lock write 0 0" OK
