#!/usr/bin/env bash
# it.nlm_granted: blocking NLM locks end to end. A LOCK with block=true
# that conflicts is answered NLM4_BLOCKED; once the holder unlocks, the
# server calls the waiter's host back with NLM_GRANTED_MSG (the client
# answers GRANTED_RES) and the waiter holds the lock: the store lists it
# and a third client is denied. NLM_CANCEL takes a waiter out: no grant.
#
# The waiters run on hosts of their own (own address, own rpcbind with
# their NLM callback service registered): Ganesha finds the callback by
# the client's address through that host's rpcbind.
#
# One node and two nodes alike, the waiter is queued in libulm (a wait
# record) and granted through UNIFIED's path: libulm's wake event ->
# lock-available up-call -> Ganesha retries LOCKB -> NLM_GRANTED_MSG.
# Ganesha 4.3 refuses a conflict with a lock of its own node before asking
# the FSAL for non-blocking requests only: since UNIFIED claims async
# blocking, Ganesha passes LOCKB to the FSAL even when it knows the
# conflict and leaves the grant to it (SAL/state_lock.c state_lock, "Make
# FSAL_OP_LOCKB call anyway"; grant_blocked_locks returns early). Across
# nodes the unlock on node 1 wakes node 2. Each blocked request gets
# exactly one NLM_GRANTED, whatever number of wakes (fsal_unified/blocked.c).
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup nlm_granted
it_need ULM_IT_INSPECT "ulm-store-inspect"

it_unified_node n1 3,4 1
it_unified_node n2 3,4 2
it_client_host hb n1 10.91.1.2 10.91.1.1
it_client_host he n2 10.91.2.2 10.91.2.1
it_client_start a n1 # the holder
it_client_start c n1 # a third client
it_nlm_client_start b hb # waits through node 1
it_nlm_client_start e he # waits through node 2

it_note "one node: libulm's queue, then NLM_GRANTED"
it_expect a "nlm lock write 0 100 f" OK
it_expect b "nlm lock write 0 100 f block" BLOCKED
it_expect_store "B waits in libulm's queue, on node 1" \
	'type=wait-write start=0 end=99 proto=nlm kind=lock node=1 .*client=10\.91\.1\.2 ' 1
it_expect b "nlm granted 0" NONE
it_expect a "nlm unlock 0 100 f" OK
it_expect b "nlm granted 5" "GRANTED write 0 100 1"
it_expect b "nlm granted 1" NONE # exactly one grant
it_expect_store "B holds the granted lock" \
	'type=write start=0 end=99 proto=nlm kind=lock node=1 .*client=10\.91\.1\.2 ' 1
it_expect c "nlm lock read 0 10 f" "DENIED write 0 100 *"
it_expect b "nlm unlock 0 100 f" OK

it_note "one node: NLM_CANCEL, then no grant"
it_expect a "nlm lock write 0 100 f" OK
it_expect b "nlm lock write 0 100 f block" BLOCKED
it_expect b "nlm cancel write 0 100 f" OK
it_expect a "nlm unlock 0 100 f" OK
it_expect b "nlm granted 2" NONE
it_expect c "nlm lock read 0 10 f" OK
it_expect c "nlm unlock 0 0 f" OK

it_note "two nodes: libulm's queue, a wake event crossing nodes, then NLM_GRANTED"
it_expect a "nlm lock write 0 100 g" OK
it_expect e "nlm lock write 0 100 g block" BLOCKED
it_expect_store "E waits in libulm's queue, on node 2" \
	'type=wait-write start=0 end=99 proto=nlm kind=lock node=2 .*client=10\.91\.2\.2 ' 1
it_expect e "nlm granted 0" NONE
it_expect a "nlm unlock 0 100 g" OK
it_expect e "nlm granted 5" "GRANTED write 0 100 1"
it_expect e "nlm granted 1" NONE # exactly one grant
it_expect_store "E holds the lock on node 2; its wait record is gone" \
	'type=write start=0 end=99 proto=nlm kind=lock node=2 .*client=10\.91\.2\.2 ' 1
it_expect_store "no wait record left" 'type=wait' 0
it_expect c "nlm lock read 0 10 g" "DENIED write 0 100 *"
it_expect a "nlm test write 50 1 g" "DENIED write 0 100 *"

it_note "two nodes: a reader behind the queued writer waits its turn (FIFO)"
it_expect e "nlm unlock 0 100 g" OK
it_expect a "nlm lock read 0 100 g" OK
it_expect e "nlm lock write 0 100 g block" BLOCKED
it_expect c "nlm lock read 50 10 g" "DENIED write 0 100 *"
it_expect a "nlm unlock 0 100 g" OK
it_expect e "nlm granted 5" "GRANTED write 0 100 1"
it_expect e "nlm unlock 0 100 g" OK

it_note "two nodes: NLM_CANCEL takes E out of libulm's queue"
it_expect a "nlm lock write 0 100 g" OK
it_expect e "nlm lock write 0 100 g block" BLOCKED
it_expect_store "E is queued" 'type=wait-write .*node=2 ' 1
it_expect e "nlm cancel write 0 100 g" OK
it_expect_store "the cancelled request left the queue" 'type=wait' 0
it_expect a "nlm unlock 0 100 g" OK
it_expect e "nlm granted 2" NONE
it_expect c "nlm lock write 0 100 g" OK
it_expect c "nlm unlock 0 0 g" OK
it_expect_store "no lock left" 'kind=lock' 0
