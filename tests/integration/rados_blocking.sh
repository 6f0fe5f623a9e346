#!/usr/bin/env bash
# it.rados_blocking: a blocked NFSv4 writer on node 2 waits in the file's
# FIFO queue in the RADOS pool while a reader holds the lock through node
# 1. Node 1 held the file's token (its client was alone on the file): the
# first request through node 2 has it handed over, so the queue, the
# refusals of later readers on both nodes and the holder's unlock are all
# seen across nodes, and the writer's retry through node 2 gets the lock.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup rados_blocking
it_need ULM_IT_INSPECT "ulm-store-inspect"
# shellcheck source=tests/integration/rados_lib.sh
. "$IT_SRC/rados_lib.sh"

it_rados_cluster memstore
it_rados_node n1 1 rados_tokens=true
it_rados_node n2 2 rados_tokens=true
it_rados_client a n1 # the holder
it_rados_client b n2 # the blocked writer
it_rados_client c n2 # a reader beside the writer
it_rados_client d n1 # a reader beside the holder

it_expect a "v4 open f both" OK
it_expect a "v4 lock read 0 100" OK
it_expect_value "node 1 alone on the file holds its token" 1 "$(it_rados_tokens)"
it_expect b "v4 open f both" OK
it_expect_value "node 2's open had the token handed over" "" "$(it_rados_tokens)"
it_expect c "v4 open f both" OK
it_expect d "v4 open f both" OK

it_note "B's WRITEW through node 2 is refused at once and queued"
it_expect b "v4 lock writew 0 100" "DENIED read 0 100"
it_expect_store "B waits in the queue" \
	'type=wait-write start=0 end=99 proto=nfs4 kind=lock node=2 ' 1

it_note "readers after the queued writer are refused, on both nodes"
it_expect c "v4 lock read 0 100" "DENIED write 0 100"
it_expect d "v4 lock read 50 1" "DENIED write 0 100"
it_expect d "v4 lock read 200 10" OK
it_expect c "v4 lock read 200 10" OK

it_note "node 1's holder unlocks: B's retry through node 2 gets the lock"
it_expect a "v4 unlock 0 100" OK
it_expect d "v4 lock read 0 100" "DENIED write 0 100"
it_expect b "v4 lock writew 0 100" OK
it_expect_store "B holds the lock; its queued request is gone" \
	'type=write start=0 end=99 proto=nfs4 kind=lock node=2 ' 1
it_expect_store "no queued request left" 'type=wait' 0
it_expect a "v4 lockt read 0 1" "DENIED write 0 100"
it_expect b "v4 unlock 0 100" OK
it_expect c "v4 unlock 0 0" OK
it_expect d "v4 unlock 0 0" OK
it_expect a "v4 lock write 0 10" OK
it_expect a "v4 unlock 0 0" OK
it_expect_store "no lock left" 'kind=lock' 0
