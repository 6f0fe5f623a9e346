#!/usr/bin/env bash
# it.deleg_grant: a delegation is granted only when no other client holds
# a conflicting open, lock or delegation anywhere in the table (any node,
# any protocol), and only where the export offers delegations. Stock FSAL
# VFS grants none: every delegation here is UNIFIED's.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup deleg_grant
it_need ULM_IT_INSPECT "ulm-store-inspect"

# libulm's records, unwatched: over VFS a write delegation, or a read one
# beside the other node's fds (one host: both nodes open the same files),
# needs Delegations_Unwatched (it.deleg_outside tests the watch).
it_deleg_nodes 3,4 deleg_unwatched=true
it_unified_node n3 4 3 delegations=none
it_client_start a n1 /export --callback # would-be holders
it_client_start b n2 /export --callback
it_client_start c n1 /export --callback
it_client_start f n3 /export --callback
it_client_start d n2 # conflicting state, through node 2
it_client_start e n1 # ... through node 1
it_client_start g n3 # ... through node 3

# A first OPEN of an open-owner is never delegated (NFSv4.0: not yet
# confirmed; Ganesha's should_we_grant_deleg).
for client in a b c f; do
	it_expect "$client" "v4 open confirm-owner-$client read" OK
done

it_note "the export option: none offers no delegation"
it_expect f "v4 open g0 read" OK
it_expect f "v4 open g0b both" OK
it_expect_store "node 3 granted none" 'type=deleg' 0
it_expect a "v4 open g0 read" "OK deleg=read"
it_expect a "v4 delegreturn" OK
it_expect a "v4 close" OK

it_note "another client's write open, on another node or the same one"
it_expect d "v4 open g1 write" OK
it_expect a "v4 open g1 read" OK
it_expect e "v4 open g2 write" OK
it_expect a "v4 open g2 read" OK
it_expect_store "no delegation beside a write open" 'type=deleg' 0
it_expect a "v4 close" OK
it_expect d "v4 close" OK
it_expect e "v4 close" OK

it_note "another client's NLM locks on another node"
it_expect d "nlm lock write 0 1 g3" OK
it_expect a "v4 open g3 read" OK
it_expect_store "no read delegation beside a write lock" 'type=deleg' 0
it_expect d "nlm lock read 0 1 g4" OK
it_expect c "v4 open g4 both" OK
it_expect_store "no write delegation beside a read lock" 'type=deleg' 0
it_expect c "v4 close" OK
it_expect a "v4 open g4 read" "OK deleg=read"
it_expect_store "a read delegation beside a read lock" 'type=deleg-read .*node=1 ' 1
it_expect a "v4 delegreturn" OK
it_expect d "nlm unlock 0 0 g3" OK
it_expect d "nlm unlock 0 0 g4" OK

it_note "read delegations are shared; a conflicting open recalls every holder"
it_expect b "v4 open g5 read" "OK deleg=read"
it_expect a "v4 open g5 read" "OK deleg=read"
it_expect_store "two read delegations, nodes 1 and 2" 'type=deleg-read .*node=[12] ' 2
it_expect g "v4 open g5 write" "ERR NFS4ERR_DELAY"
it_expect_within 5 a "v4 recalls" "RECALLS 1"
it_expect_within 5 b "v4 recalls" "RECALLS 1"
it_expect g "v4 open g5 write" "ERR NFS4ERR_DELAY"
it_expect a "v4 delegreturn" OK
it_expect g "v4 open g5 write" "ERR NFS4ERR_DELAY"
it_expect b "v4 delegreturn" OK
it_expect_store "both returned" 'type=deleg' 0
it_expect g "v4 open g5 write" OK
