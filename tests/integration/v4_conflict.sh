#!/usr/bin/env bash
# it.v4_conflict: two NFSv4 clients of one UNIFIED node. A's write lock
# denies B's LOCK and LOCKT with A's range; the lock is a record in the
# libulm store while held; after A unlocks, B gets it.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup v4_conflict
it_need ULM_IT_INSPECT "ulm-store-inspect"

it_unified_node n1 4
it_client_start a n1
it_client_start b n1

it_expect a "v4 open f both" OK
it_expect b "v4 open f both" OK
it_expect a "v4 lock write 0 100" OK
it_expect_store "A's lock is persisted" \
	'type=write start=0 end=99 proto=nfs4 kind=lock node=1 ' 1

it_expect b "v4 lock write 0 100" "DENIED write 0 100"
it_expect b "v4 lock read 50 10" "DENIED write 0 100"
it_expect b "v4 lockt write 99 1" "DENIED write 0 100"
it_expect b "v4 lockt read 0 0" "DENIED write 0 100"
it_expect_store "denied requests left no record" 'proto=nfs4 kind=lock' 1

# Touching but not overlapping ranges do not conflict, both ways.
it_expect b "v4 lockt write 100 1" OK
it_expect b "v4 lock write 100 50" OK
it_expect a "v4 lockt read 120 1" "DENIED write 100 50"
it_expect_store "both locks are persisted" 'type=write .*proto=nfs4' 2

it_expect a "v4 unlock 0 100" OK
it_expect b "v4 lockt write 0 100" OK
it_expect b "v4 lock write 0 100" OK
# B's two ranges touch: POSIX merges one owner's locks into [0, 150).
it_expect a "v4 lockt write 0 1" "DENIED write 0 150"
it_expect_store "B's merged lock" 'type=write start=0 end=149 proto=nfs4' 1

it_expect b "v4 unlock 0 0" OK
it_expect a "v4 lock write 0 0" OK
it_expect b "v4 lockt read 1000 1" "DENIED write 0 0"
it_expect a "v4 unlock 0 0" OK
it_expect_store "every unlock reached the store" 'kind=lock' 0
it_expect a "v4 close" OK
it_expect b "v4 close" OK
it_expect_store "CLOSE dropped both share reservations" '.' 0
it_note "an unknown command is answered with every command the client has"
it_expect a "bogus" "ERR usage: unknown command (v4 open|owner|*|rename, nlm svid|lock|*|unlock, nsm notify|notified, v3 write|*|remove, quit)"
