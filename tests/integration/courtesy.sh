#!/usr/bin/env bash
# it.courtesy: a courteous server. An NFSv4 client whose lease lapses is
# expired by Ganesha 4.3 (its stateids are gone), but UNIFIED keeps its
# locks and share denies in the lock store as courtesy records, which
# ulmctl shows under client "courtesy:NAME". Any conflicting request (NFSv4
# or NLM or SMB, on either node) drops the records in its way and is granted at
# once, never refused for them; the client that comes back gets its locks
# again over its own courtesy records; Courtesy_Max_Records bounds them per
# client and Courtesy_Max_Age ends them with no conflict at all.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/smb_lib.sh
. "$IT_SRC/smb_lib.sh"
it_setup courtesy
it_need ULM_IT_INSPECT "ulmctl"

LEASE=4 AGE=10
# (it_unified_node sets Lease_Lifetime = 4)
it_unified_node n1 3,4 1 courtesy_age=$AGE courtesy_records=3 fsal_log=INFO
it_unified_node n2 3,4 2 courtesy_age=$AGE courtesy_records=3 fsal_log=INFO
it_smb_node n2
it_smb_client_start s n2 # SMB (vfs_ulm) on node 2
it_client_start a n1 # goes silent
it_client_start b n2 # conflicts through node 2
it_client_start c n1 # ... through node 1, over NLM
it_client_start d n1 # goes silent, then comes back
it_client_start f n1 # goes silent with more than it may keep

it_note "A holds two locks and a deny, then stops renewing"
it_expect a "v4 open f1 both" OK
it_expect a "v4 lock write 0 10" OK
it_expect a "v4 lock write 100 10" OK
it_expect a "v4 open f2 both deny write" OK
it_expect b "v4 open f1 both" OK
it_expect b "v4 lock write 5 1" "DENIED write 0 10"
it_expect a "v4 expire" OK
it_expect_store_within $((6 * LEASE)) "A expired: its locks and deny kept as courtesy records" \
	'client=courtesy:ulmt-a-' 3
it_expect_store "no live record of A" 'client=ulmt-a-' 0
it_expect_store "the courtesy locks as A held them" \
	'type=write start=(0 end=9|100 end=109) .*proto=nfs4 .*node=1 .*client=courtesy:ulmt-a-' 2
it_expect_store "the courtesy deny" 'type=share .*deny=w .*client=courtesy:ulmt-a-' 1
it_expect_log n1 "Ganesha expired A" 'expired with its lease lapsed: 2 of its 2 locks on the file kept'

it_note "a conflicting request of anyone, anywhere, drops them and is granted"
it_expect b "v4 lock write 5 1" OK
it_expect_log n2 "node 2 dropped A's lock" 'dropped a courtesy lock of expired client ulmt-a-.* \(node 1\)'
it_expect_store "A's first courtesy lock went" 'start=0 end=9 .*client=courtesy:ulmt-a-' 0
it_expect c "nlm lock write 100 5 f1" OK
it_expect_store "A's second went, to NLM on node 1" 'start=100 end=109 .*client=courtesy:ulmt-a-' 0
it_expect s "open f2 write both" OK
it_expect_store "A's deny went, to an SMB open on node 2" 'client=courtesy:ulmt-a-' 0
it_expect a "v4 renew" OK # A comes back to nothing: it was all taken

it_note "D comes back before anyone wanted its lock: it gets it again"
it_expect d "v4 open g1 both" OK
it_expect d "v4 lock write 0 10" OK
it_expect d "v4 expire" OK
it_expect_store_within $((6 * LEASE)) "D expired: its lock kept" \
	'type=write start=0 end=9 .*client=courtesy:ulmt-d-' 1
it_expect b "v4 open g1 read" OK
it_expect b "v4 lockt read 20 1" OK # no conflict: nothing is dropped
it_expect_store "D's courtesy lock stays" 'client=courtesy:ulmt-d-' 1
it_expect d "v4 renew" OK # a new clientid (NFS4ERR_EXPIRED first)
it_expect d "v4 open g1 both" OK
it_expect d "v4 lock write 0 10" OK
it_expect_store "D holds its lock again, live" 'type=write start=0 end=9 .*client=ulmt-d-' 1
it_expect_store "D's courtesy record gave way to it" 'client=courtesy:ulmt-d-' 0
it_expect b "v4 lockt write 5 1" "DENIED write 0 10"

it_note "F keeps at most Courtesy_Max_Records, and only for Courtesy_Max_Age"
it_expect f "v4 open h1 both" OK
for at in 0 100 200 300; do
	it_expect f "v4 lock write $at 10" OK
done
it_expect f "v4 expire" OK
it_expect_store_within $((6 * LEASE)) "F expired: 3 of its 4 locks kept" \
	'client=courtesy:ulmt-f-' 3
it_expect_store "none of F live" 'client=ulmt-f-' 0
it_expect_log n1 "F's limit" 'expired with its lease lapsed: 3 of its 4 locks on the file kept'
it_expect_store_within $((AGE + 4)) "F's courtesy records went after ${AGE}s" \
	'client=courtesy:ulmt-f-' 0
it_expect_log n1 "the age limit" 'courtesy records reached Courtesy_Max_Age \(10 s\) and went'
