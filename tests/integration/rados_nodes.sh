#!/usr/bin/env bash
# it.rados_nodes: three Ganesha nodes export one directory through UNIFIED
# on one RADOS pool (a real single-node Ceph cluster): a lock taken through
# one node denies conflicting LOCKs through the others, LOCKT reports it
# with its range, and releases are seen at once; the pool holds exactly
# the locks the clients were granted. The nodes export one directory, so
# the kernel would refuse cross-node LOCKs too: each refusing node also
# counts the refusal as its store's (ulmctl stats), and
# it.rados_nodes.control, a RADOS namespace per node, must fail there. The
# token handover (node 1 holds the file's token while alone on it) is what
# a stale cache would get wrong.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup rados_nodes
it_need ULM_IT_INSPECT "ulm-store-inspect"
# shellcheck source=tests/integration/rados_lib.sh
. "$IT_SRC/rados_lib.sh"

it_rados_cluster memstore
it_rados_node n1 1 dbus=1
it_rados_node n2 2 dbus=1
it_rados_node n3 3 dbus=1
it_rados_client a n1
it_rados_client b n2
it_rados_client c n3
it_expect_log n1 "store is rados" 'rados lock store open'

it_note "conflicts cross all three nodes"
it_expect a "v4 open f both" OK
it_expect b "v4 open f both" OK
it_expect c "v4 open f both" OK
it_expect a "v4 lock write 0 100" OK
it_expect_store_refusal n2 b "v4 lock write 50 1" "DENIED write 0 100"
it_expect_store_refusal n3 c "v4 lockt read 0 0" "DENIED write 0 100"
it_expect b "v4 lock read 100 10" OK
it_expect c "v4 lock read 105 10" OK
it_expect_store_refusal n1 a "v4 lock write 108 1" "DENIED read 100 10"
it_expect_store_refusal n1 a "v4 lockt write 112 1" "DENIED read 105 10"
it_expect_store "node 1's lock" 'type=write start=0 end=99 proto=nfs4 kind=lock node=1 ' 1
it_expect_store "node 2's lock" 'type=read start=100 end=109 proto=nfs4 kind=lock node=2 ' 1
it_expect_store "node 3's lock" 'type=read start=105 end=114 proto=nfs4 kind=lock node=3 ' 1

it_note "releases are seen across nodes at once"
it_expect a "v4 unlock 0 100" OK
it_expect b "v4 lock write 0 50" OK
it_expect_store_refusal n3 c "v4 lockt write 10 1" "DENIED write 0 50"
it_expect b "v4 unlock 0 0" OK
it_expect c "v4 unlock 0 0" OK
it_expect a "v4 lock write 0 0" OK
it_expect_store_refusal n2 b "v4 lockt read 7 1" "DENIED write 0 0"
it_expect a "v4 unlock 0 0" OK
it_expect c "v4 lock write 0 0" OK
it_expect c "v4 unlock 0 0" OK
it_expect_store "no lock left" 'kind=lock' 0
it_expect_store "each node's open is a share record" 'type=share' 3
it_expect a "v4 close" OK
it_expect b "v4 close" OK
it_expect c "v4 close" OK
it_expect_store "CLOSE dropped every share record" '.' 0
