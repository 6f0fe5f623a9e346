#!/usr/bin/env bash
# it.reclaim_v4: NFSv4 reclaims after a restart carry their reclaim flag
# into libulm. A client holds an open, a lock and a write delegation on
# node 1; node 1 restarts (SIGTERM: the records stay for reclaim) and, in
# grace, the client reclaims the open with its delegation (CLAIM_PREVIOUS)
# and the lock (reclaim = true). Each reclaim replaces the record of the
# old epoch with one of the new epoch flagged "reclaim" (Ganesha's
# FSAL_O_RECLAIM, lock_reclaim, and the OPEN's claim for the delegation),
# so the purge after grace keeps it, and the delegation is recalled again.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup reclaim_v4
it_need ULM_IT_INSPECT "ulm-store-inspect"

GRACE=5
# libulm's records, unwatched: over VFS a write delegation, or a read one
# beside the other node's fds (one host: both nodes open the same files),
# needs Delegations_Unwatched (it.deleg_outside tests the watch).
it_unified_node n1 4 1 delegations=readwrite grace=$GRACE \
	deleg_unwatched=true
it_unified_node n2 4 2 delegations=readwrite deleg_unwatched=true
it_client_start a n1 /export --callback
it_client_start b n2
# (NFSv4.0: an open-owner's first OPEN is never delegated)
it_expect a "v4 open confirm-owner read" OK
it_expect a "v4 open f both" "OK deleg=write"
it_expect a "v4 lock write 0 100" OK
F_RECORDS='type=(share .*access=rw|write|deleg-write) .* node=1 epoch=1 '
it_expect_store "epoch 1: f's open, lock and delegation, not reclaims" \
	"$F_RECORDS"'client=ulmt-a-' 3

it_note "node 1 restarts; A reclaims in its grace"
sb_stop n1 ganesha TERM || it_fail "node 1 did not stop"
it_expect_store "the records outlive node 1" "$F_RECORDS" 3
sb_ganesha_start n1 || it_fail "node 1 did not restart"
it_expect a "v4 lock write 0 100 reclaim" OK
it_expect_store "the open is reclaimed" \
	'type=share start=0 end=eof access=rw deny=none proto=nfs4 kind=open node=1 epoch=2 reclaim=yes client=ulmt-a-' 1
it_expect_store "the lock is reclaimed" \
	'type=write start=0 end=99 proto=nfs4 kind=lock node=1 epoch=2 reclaim=yes client=ulmt-a-' 1
it_expect_store "the delegation is reclaimed" \
	'type=deleg-write start=0 end=eof proto=nfs4 kind=client node=1 epoch=2 reclaim=yes client=ulmt-a-' 1
it_expect_store "each replaced its record of epoch 1" "$F_RECORDS" 0

it_note "after grace: what was not reclaimed is purged, the reclaims stay"
sb_ganesha_wait_grace n1 30 || it_fail "node 1's grace never ended"
it_expect_store_within $((GRACE + 5)) "the unreclaimed open of epoch 1 is purged" \
	'epoch=1 ' 0
it_expect_store "the reclaimed records stay" 'node=1 epoch=2 reclaim=yes client=ulmt-a-' 3
it_expect b "v4 open f read" "ERR NFS4ERR_DELAY"
it_expect_within 5 a "v4 recalls" "RECALLS 1"
