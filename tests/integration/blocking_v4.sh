#!/usr/bin/env bash
# it.blocking_v4: NFSv4 blocking lock types wait in libulm's per-file FIFO
# queue, seen by every node. A queued writer is not starved by readers
# arriving after it (on either node), keeps the range reserved while it
# polls, and is granted on its retry once the holder unlocks. The holder
# is on the other node: Ganesha 4.3 refuses a conflict with a lock of its
# own node itself, before asking the FSAL (see docs/fsal-unified.md).
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup blocking_v4
it_need ULM_IT_INSPECT "ulm-store-inspect"

it_unified_node n1 4 1
it_unified_node n2 4 2
it_client_start a n2 # the holder
it_client_start b n1 # the blocked writer
it_client_start c n1 # a reader beside the writer
it_client_start d n2 # a reader beside the holder

it_expect a "v4 open f both" OK
it_expect b "v4 open f both" OK
it_expect c "v4 open f both" OK
it_expect d "v4 open f both" OK
it_expect a "v4 lock read 0 100" OK

it_note "B's WRITEW is refused at once and queued"
it_expect b "v4 lock writew 0 100" "DENIED read 0 100"
it_expect_store "B waits in the queue" \
	'type=wait-write start=0 end=99 proto=nfs4 kind=lock node=1 ' 1

it_note "readers after the queued writer are refused, on both nodes"
it_expect c "v4 lock read 0 100" "DENIED write 0 100"
it_expect d "v4 lock read 50 1" "DENIED write 0 100"
it_expect d "v4 lock read 200 10" OK
it_expect c "v4 lock read 200 10" OK

it_note "the holder unlocks: the range stays B's while B polls"
it_expect a "v4 unlock 0 100" OK
it_expect c "v4 lock read 0 100" "DENIED write 0 100"
it_expect b "v4 lock writew 0 100" OK
it_expect_store "B holds the lock; its queued request is gone" \
	'type=write start=0 end=99 proto=nfs4 kind=lock node=1 ' 1
it_expect_store "no queued request left" 'type=wait' 0
it_expect c "v4 lock read 0 100" "DENIED write 0 100"

it_note "a plain WRITE is never queued"
it_expect c "v4 lock write 0 10" "DENIED write 0 100"
it_expect_store "no queued request left" 'type=wait' 0
it_expect b "v4 unlock 0 100" OK
it_expect c "v4 lock read 0 100" OK
it_expect c "v4 unlock 0 0" OK
it_expect d "v4 unlock 0 0" OK
it_expect a "v4 unlock 0 0" OK
it_expect_store "no lock left" 'kind=lock' 0
