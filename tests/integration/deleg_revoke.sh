#!/usr/bin/env bash
# it.deleg_revoke: a recalled delegation that is not returned is revoked
# once the lease has passed, its record leaves the table, and the
# conflicting request then proceeds; through node 2 (the recall crosses
# nodes through libulm) and through node 1 (Ganesha's own recall). A
# holder that returns at once (autoreturn) lets the request in before.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup deleg_revoke
it_need ULM_IT_INSPECT "ulm-store-inspect"

LEASE=4
it_deleg_nodes 4 lease=$LEASE
it_client_start a n1 /export --callback # holds and never returns
it_client_start h n2 /export --callback # returns what is recalled
it_client_start b n2
it_client_start c n1
it_expect h "v4 autoreturn on" OK
# A first OPEN of an open-owner is never delegated (NFSv4.0).
it_expect a "v4 open confirm-owner read" OK
it_expect h "v4 open confirm-owner read" OK

# revoke_case FILE WHO N: A's delegation on FILE, recalled by WHO's write
# open (A's N-th recall), is revoked after the lease; WHO then opens.
revoke_case() {
	local file=$1 who=$2 n=$3 start
	it_note "$who's write open against A's delegation that A keeps"
	it_expect a "v4 open $file read" "OK deleg=read"
	it_expect "$who" "v4 open $file write" "ERR NFS4ERR_DELAY"
	start=$SECONDS
	it_expect_within 5 a "v4 recalls" "RECALLS $n"
	sleep 1
	it_expect "$who" "v4 open $file write" "ERR NFS4ERR_DELAY"
	it_expect_store "recalled, not yet revoked" 'type=deleg-read .*node=1 ' 1
	it_expect_within $((3 * LEASE)) "$who" "v4 open $file write" OK
	# (whole seconds: at least the lease less one)
	it_expect_value "the open waited about the lease (${LEASE}s)" \
		yes "$([ $((SECONDS - start)) -ge $((LEASE - 1)) ] && echo yes || echo no)"
	it_expect_store "the revoked delegation left the table" 'type=deleg' 0
	it_expect a "v4 delegreturn" "ERR NFS4ERR_BAD_STATEID"
	it_expect "$who" "v4 close" OK
}

revoke_case r1 b 1
revoke_case r2 c 2

it_note "a holder that returns the delegation lets the open in at once"
it_expect h "v4 open r3 read" "OK deleg=read"
it_expect_store "H's delegation is node 2's" 'type=deleg-read .*node=2 .*client=ulmt-h-' 1
it_expect c "v4 open r3 write" "ERR NFS4ERR_DELAY"
it_expect_within 5 h "v4 recalls" "RECALLS 1"
it_expect_within 5 c "v4 open r3 write" OK
it_expect_store "returned, not revoked" 'type=deleg' 0
it_expect_value "H returned it itself" "autoreturn: DELEGRETURN NFS4_OK" \
	"$(grep -m 1 '^autoreturn:' "$(sb_node_dir n2)/client-h.out")"
