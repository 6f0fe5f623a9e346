#!/usr/bin/env bash
# it.deleg_own_open: a client's own write open of a file it holds a read
# delegation on (another open-owner of the same client). Ganesha 4.3
# recalls the delegation itself before UNIFIED is asked (a read delegation
# conflicts with any write open, whoever's: state_deleg_conflict_impl(),
# Protocols/NFS/nfs4_op_open.c:928) and answers NFS4ERR_DELAY; UNIFIED
# keeps the delegation valid until the holder returns it: its DELEGRETURN
# succeeds, and its write open then does. NFSv4.0 and 4.1.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup deleg_own_open
it_need ULM_IT_INSPECT "ulm-store-inspect"

LEASE=4
it_unified_node n1 4 1 delegations=readwrite lease=$LEASE

for v in 0 1; do
	a=a$v
	it_note "NFSv4.$v"
	it_client_start $a n1 /export --callback --minor $v
	[ $v != 0 ] || it_expect $a "v4 open confirm-$a read" OK
	it_expect $a "v4 open f$v read" "OK deleg=read"
	it_expect $a "v4 open_owner writer" OK
	it_expect $a "v4 open f$v write" "ERR NFS4ERR_DELAY"
	it_expect_within 5 $a "v4 recalls" "RECALLS 1"
	# Past the lease less a second: still the holder's to return.
	sleep $((LEASE - 1))
	it_expect_store "the delegation holds until it is returned" 'type=deleg-read' 1
	it_expect $a "v4 delegreturn" OK
	it_expect_store "DELEGRETURN dropped it" 'type=deleg' 0
	it_expect $a "v4 open f$v write" OK
	it_expect $a "v4 close" OK
done
