#!/usr/bin/env bash
# it.deleg_v41: delegations held by NFSv4.1 clients, whose callbacks come
# on their session's own connection (the back channel of CREATE_SESSION).
# A holder that returns what is recalled lets a conflicting open in at
# once; a holder that answers the recall and keeps the delegation is
# revoked after the lease: the open then succeeds, and the holder's stateid
# is gone (Ganesha 4.3 answers NFS4ERR_BAD_STATEID, not DELEG_REVOKED).
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup deleg_v41

LEASE=4
it_unified_node n1 4 1 delegations=readwrite lease=$LEASE
GANESHA_PID=$(sb_pid n1 ganesha)
it_client_start h n1 /export --callback --minor 1 # returns what is recalled
it_client_start k n1 /export --callback --minor 1 # answers, keeps
it_client_start b n1 /export --minor 1            # the conflicting opener

it_note "the sessions are up, the back channels too"
it_expect h "v4 seqflags" "SEQFLAGS none"
it_expect k "v4 seqflags" "SEQFLAGS none"
it_expect b "v4 seqflags" "SEQFLAGS CB_PATH_DOWN" # it asked for none

it_note "a holder that returns the delegation lets the open in at once"
it_expect h "v4 autoreturn on" OK
it_expect h "v4 open f1 read" "OK deleg=read"
it_expect b "v4 open f1 write" "ERR NFS4ERR_DELAY"
it_expect_within 5 h "v4 recalls" "RECALLS 1"
it_expect_within 5 b "v4 open f1 write" OK
it_expect_value "H returned it itself" "autoreturn: DELEGRETURN NFS4_OK" \
	"$(grep -m 1 '^autoreturn:' "$(sb_node_dir n1)/client-h.out")"
it_expect b "v4 close" OK

it_note "a holder that keeps the delegation is revoked after the lease"
it_expect k "v4 open f2 read" "OK deleg=read"
it_expect k "v4 test_stateid" OK
it_expect b "v4 open f2 write" "ERR NFS4ERR_DELAY"
start=$SECONDS
it_expect_within 5 k "v4 recalls" "RECALLS 1"
it_expect_within $((3 * LEASE)) b "v4 open f2 write" OK
it_note "B's open waited $((SECONDS - start))s (lease ${LEASE}s)"
it_expect_value "the open waited about the lease (${LEASE}s)" yes \
	"$([ $((SECONDS - start)) -ge $((LEASE - 1)) ] && echo yes || echo no)"
# RFC 8881 (8.2.3, 18.46.3) wants NFS4ERR_DELEG_REVOKED for the stateid and
# SEQ4_STATUS_RECALLABLE_STATE_REVOKED on every SEQUENCE until FREE_STATEID.
# Ganesha 4.3 forgets a revoked delegation at once (SAL/state_deleg.c:461,
# state_del_locked in deleg_revoke) and sets no flag but CB_PATH_DOWN
# (Protocols/NFS/nfs4_op_sequence.c:299): the stateid is unknown to it.
it_expect k "v4 seqflags" "SEQFLAGS none"
it_expect k "v4 test_stateid" "ERR NFS4ERR_BAD_STATEID"
it_expect k "v4 free_stateid" "ERR NFS4ERR_BAD_STATEID"
it_expect k "v4 delegreturn" "ERR NFS4ERR_BAD_STATEID"
it_expect b "v4 close" OK

it_expect_value "ganesha.nfsd is the same live process" "$GANESHA_PID" \
	"$(sb_alive n1 ganesha && sb_pid n1 ganesha)"
for c in h k b; do it_expect "$c" quit OK; done
