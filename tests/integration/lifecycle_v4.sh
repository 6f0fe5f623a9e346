#!/usr/bin/env bash
# it.lifecycle_v4: the end of an NFSv4 owner or client ends exactly its
# records in libulm, seen from both nodes. RELEASE_LOCKOWNER and CLOSE are
# refused (NFS4ERR_LOCKS_HELD, RFC 7530) while the owner holds locks and
# then change nothing; once the locks are unlocked they succeed and drop
# that owner's state only. A client that stops renewing is expired by
# Ganesha after its lease: its locks, share reservations and delegations
# all leave the table (its locks and denies as courtesy records, which the
# clients it held up drop), and those clients get what they asked.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup lifecycle_v4
it_need ULM_IT_INSPECT "ulm-store-inspect"

LEASE=4
# libulm's records, unwatched: over VFS a write delegation, or a read one
# beside the other node's fds (one host: both nodes open the same files),
# needs Delegations_Unwatched (it.deleg_outside tests the watch).
it_deleg_nodes 4 lease=$LEASE deleg_unwatched=true
it_client_start d n1                    # owners that end
it_client_start a n1 /export --callback # a client that expires
it_client_start b n2                    # sees it through node 2
it_client_start c n1                    # ... and through node 1

it_note "RELEASE_LOCKOWNER: refused while the owner holds locks"
it_expect d "v4 open k1 both" OK
it_expect d "v4 owner lo1" OK
it_expect d "v4 lock write 0 10" OK
it_expect d "v4 owner lo2" OK
it_expect d "v4 lock write 20 10" OK
it_expect d "v4 owner lo1" OK
it_expect d "v4 release_lockowner" "ERR NFS4ERR_LOCKS_HELD"
it_expect_store "both owners' locks stay" 'kind=lock .*client=ulmt-d-.* owner=lo[12] id=' 2
it_expect b "v4 open k1 both" OK
it_expect b "v4 lockt write 5 1" "DENIED write 0 10"

it_note "RELEASE_LOCKOWNER after UNLOCK drops that owner only"
it_expect d "v4 unlock 0 10" OK
it_expect d "v4 release_lockowner" OK
it_expect_store "no lock of lo1" 'owner=lo1 id=' 0
it_expect_store "lo2's lock stays" 'type=write start=20 end=29 .*node=1 .*owner=lo2 id=' 1
it_expect b "v4 lock write 0 10" OK
it_expect b "v4 lock write 25 1" "DENIED write 20 10"
it_expect d "v4 lock write 40 10" OK # a released owner starts afresh
it_expect b "v4 unlock 0 10" OK

it_note "CLOSE: refused while locks are held, then drops the open"
it_expect d "v4 close" "ERR NFS4ERR_LOCKS_HELD"
it_expect_store "D's open stays" 'type=share .*client=ulmt-d-' 1
it_expect_store "D's locks stay" 'kind=lock .*client=ulmt-d-' 2
it_expect d "v4 unlock 40 10" OK
it_expect d "v4 owner lo2" OK
it_expect d "v4 unlock 20 10" OK
it_expect d "v4 close" OK
it_expect_store "nothing of D left" 'client=ulmt-d-' 0
it_expect b "v4 lock write 20 10" OK
it_expect b "v4 unlock 20 10" OK
it_expect b "v4 close" OK

it_note "client expiry: A's locks, shares and delegations all go"
it_expect c "v4 open x1 read" OK # (so A gets no delegation on x1)
# (NFSv4.0: an open-owner's first OPEN is never delegated)
it_expect a "v4 open confirm-owner read" OK
it_expect a "v4 open x2 read" "OK deleg=read"
it_expect a "v4 open x3 both deny write" "OK deleg=write"
it_expect a "v4 open x1 both" OK
it_expect a "v4 lock write 0 0" OK
it_expect_store "A's lock" 'type=write .*node=1 .*client=ulmt-a-' 1
it_expect_store "A's opens" 'type=share .*node=1 .*client=ulmt-a-' 4
it_expect_store "A's delegations" 'type=deleg-.*node=1 .*client=ulmt-a-' 2
it_expect b "v4 open x3 write" "ERR NFS4ERR_SHARE_DENIED"
it_expect b "v4 open x1 both" OK
it_expect b "v4 lock write 0 10" "DENIED write 0 0"
it_expect c "v4 lock read 100 1" "DENIED write 0 0"
it_expect a "v4 expire" OK
it_expect_store_within $((8 * LEASE)) "A expired: nothing live of A left" \
	'client=ulmt-a-' 0
it_expect_store "its lock and its deny stay as courtesy records (it.courtesy)" \
	'client=courtesy:ulmt-a-' 2
it_expect b "v4 lock write 0 10" OK
it_expect c "v4 lock read 100 1" OK
it_expect c "v4 lock read 5 1" "DENIED write 0 10"
it_expect b "v4 open x3 write" OK
