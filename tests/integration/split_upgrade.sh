#!/usr/bin/env bash
# it.split_upgrade: POSIX range semantics over the wire. Unlocking a middle
# sub-range frees exactly it; read->write upgrade and write->read downgrade
# are atomic; a refused upgrade keeps the read lock. Client B probes each
# state with LOCKT and LOCK.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup split_upgrade
it_need ULM_IT_INSPECT "ulm-store-inspect"

it_unified_node n1 4
it_client_start a n1
it_client_start b n1
it_expect a "v4 open f both" OK
it_expect b "v4 open f both" OK

it_note "split: A locks [0,300) and unlocks [100,200)"
it_expect a "v4 lock write 0 300" OK
it_expect a "v4 unlock 100 100" OK
it_expect b "v4 lockt write 100 100" OK
it_expect b "v4 lockt write 99 1" "DENIED write 0 100"
it_expect b "v4 lockt write 200 1" "DENIED write 200 100"
it_expect b "v4 lock write 120 10" OK
it_expect b "v4 unlock 120 10" OK
it_expect_store "the split left two ranges" 'type=write .*proto=nfs4' 2
it_expect_store "left part" 'type=write start=0 end=99 ' 1
it_expect_store "right part" 'type=write start=200 end=299 ' 1

it_note "downgrade: A's [200,300) write -> read"
it_expect a "v4 lock read 200 100" OK
it_expect b "v4 lockt read 250 1" OK
it_expect b "v4 lockt write 250 1" "DENIED read 200 100"
it_expect b "v4 lock read 210 10" OK
it_expect_store "downgraded in place" 'type=read start=200 end=299 ' 1

it_note "upgrade refused while B reads [210,220): A keeps its read lock"
it_expect a "v4 lock write 200 100" "DENIED read 210 10"
it_expect b "v4 lockt write 260 1" "DENIED read 200 100"
it_expect_store "refused upgrade changed nothing" 'type=read start=200 end=299 ' 1

it_note "upgrade granted once B lets go"
it_expect b "v4 unlock 210 10" OK
it_expect a "v4 lock write 200 100" OK
it_expect b "v4 lockt read 250 1" "DENIED write 200 100"
it_expect_store "upgraded in place" 'type=write start=200 end=299 ' 1
it_expect_store "no read lock left" 'type=read' 0

it_expect a "v4 unlock 0 0" OK
it_expect b "v4 lock write 0 0" OK
it_expect b "v4 unlock 0 0" OK
it_expect_store "no lock left" 'kind=lock' 0
