#!/usr/bin/env bash
# it.two_nodes: two Ganesha processes (two namespaces) export one directory
# through UNIFIED and share one LMDB store. A lock taken through one node
# denies a conflicting LOCK through the other, and the other's LOCKT / NLM
# TEST reports it with its range. Both nodes export one directory and
# UNIFIED mirrors grants into the kernel, which would refuse a cross-node
# LOCK (and LOCKT, through UNIFIED's look at local locks) by itself: each
# cross-node refusal is also counted by the refusing node as its lock
# store's (ulmctl stats), and it.two_nodes.control, this test with a store
# per node, must fail at that count.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup two_nodes
it_need ULM_IT_INSPECT "ulm-store-inspect"

it_unified_node n1 3,4 1 dbus=1
it_unified_node n2 3,4 2 dbus=1
it_client_start a n1 # NFSv4 through node 1
it_client_start b n2 # NFSv4 through node 2
it_client_start c n2 # NLM through node 2
it_client_start d n1 # NLM through node 1

it_note "NFSv4 across nodes"
it_expect a "v4 open f both" OK
it_expect b "v4 open f both" OK
it_expect a "v4 lock write 0 100" OK
it_expect_store_refusal n2 b "v4 lockt write 50 1" "DENIED write 0 100"
it_expect b "v4 lockt read 0 0" "DENIED write 0 100"
it_expect_store_refusal n2 b "v4 lock write 50 1" "DENIED write 0 100"
it_expect b "v4 lock write 100 10" OK
it_expect_store_refusal n1 a "v4 lockt read 105 1" "DENIED write 100 10"
it_expect_store_refusal n1 a "v4 lock read 0 200" "DENIED write 100 10"
it_expect_store "node 1's lock" 'type=write start=0 end=99 proto=nfs4 kind=lock node=1 ' 1
it_expect_store "node 2's lock" 'type=write start=100 end=109 proto=nfs4 kind=lock node=2 ' 1

it_note "NLM across nodes"
it_expect_store_refusal n2 c "nlm test write 0 1 f" "DENIED write 0 100 *"
it_expect_store_refusal n2 c "nlm lock read 0 1 f" "DENIED write 0 100 *"
it_expect a "v4 unlock 0 100" OK
it_expect c "nlm lock read 0 50 f" OK
it_expect a "v4 lockt write 10 1" "DENIED read 0 50"
it_expect_store_refusal n1 a "v4 lock write 10 1" "DENIED read 0 50"
it_expect d "nlm test write 20 1 f" "DENIED read 0 50 *"
it_expect d "nlm lock read 20 1 f" OK
it_expect_store "NLM locks of both nodes" 'type=read .*proto=nlm ' 2

it_note "releases are seen across nodes"
it_expect c "nlm unlock 0 0 f" OK
it_expect d "nlm unlock 0 0 f" OK
it_expect b "v4 unlock 0 0" OK
it_expect a "v4 lock write 0 0" OK
it_expect_store_refusal n2 b "v4 lockt read 7 1" "DENIED write 0 0"
it_expect a "v4 unlock 0 0" OK
it_expect b "v4 lock write 0 0" OK
it_expect b "v4 unlock 0 0" OK
it_expect_store "no lock left" 'kind=lock' 0
