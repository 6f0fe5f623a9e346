#!/usr/bin/env bash
# it.restart: locks outlive their Ganesha. Node 1 holds a lock; it is
# stopped (round 1: kill -9, round 2: SIGTERM) and restarted on the same
# store. The record stays in the store, node 2 (sharing the store) cannot
# take a conflicting lock while node 1 is down or in grace, and when node
# 1's grace ends its orphan record is purged and node 2 gets the lock.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup restart
it_need ULM_IT_INSPECT "ulm-store-inspect"

GRACE=4
it_unified_node n1 4 1 grace=$GRACE
it_unified_node n2 4 2 grace=$GRACE
it_client_start b n2
it_expect b "v4 open f both" OK

# One round: a fresh client of node 1 locks [0,100) of f and [0,0) of g,
# node 1 goes down by SIGNAL, comes back, and its orphans are purged.
restart_round() {
	local round=$1 signal=$2 a=a$1 status
	it_note "round $round: node 1 stopped by SIG$signal"
	it_client_start "$a" n1
	it_expect "$a" "v4 open g both" OK
	it_expect "$a" "v4 lock read 0 0" OK
	it_expect "$a" "v4 open f both" OK
	it_expect "$a" "v4 lock write 0 100" OK
	it_expect_store "node 1's locks are in the store" 'proto=nfs4 kind=lock node=1 ' 2

	sb_stop n1 ganesha "$signal" || it_fail "node 1 did not stop on SIG$signal"
	status=$(sb_status n1 ganesha)
	case $signal in
	TERM) it_expect_value "node 1's exit status after SIGTERM" "0" "$status" ;;
	KILL) it_expect_value "node 1's exit status after kill -9" "137" "$status" ;;
	esac
	it_client_stop "$a"
	it_expect_store "the locks outlive node 1" \
		'type=write start=0 end=99 proto=nfs4 kind=lock node=1 ' 1
	it_expect_store "...both of them" 'type=read start=0 end=eof proto=nfs4 kind=lock node=1 ' 1
	it_expect b "v4 lockt write 50 1" "DENIED write 0 100"
	it_expect b "v4 lock write 50 1" "DENIED write 0 100"

	sb_ganesha_start n1 || it_fail "node 1 did not restart"
	it_expect_log n1 "the store is reopened in a new epoch" \
		"UNIFIED: lmdb lock store open \\(.*\\), node 1 epoch $((round + 1))\$"
	it_expect b "v4 lock write 50 1" "DENIED write 0 100"
	it_expect_store "records kept during node 1's grace" 'kind=lock node=1 ' 2

	sb_ganesha_wait_grace n1 30 || it_fail "node 1's grace never ended"
	it_expect_store_within $((GRACE + 5)) "node 1's orphans purged after grace" 'node=1 ' 0
	it_expect_log n1 "the purge is logged" 'grace over for node 1 \(grace period elapsed\): purged 4 unreclaimed lock records'
	it_expect b "v4 lock write 50 1" OK
	it_expect b "v4 unlock 0 0" OK
}

restart_round 1 KILL
restart_round 2 TERM
it_expect_store "no lock left" 'kind=lock' 0
