#!/usr/bin/env bash
# it.deleg_unreturned: a recalled delegation that is not returned is
# revoked one lease (+ Delegation_Revoke_Margin, 1 s) after the recall
# began, whatever its holder does, and Ganesha survives it. Holders: one
# that stops answering (SIGSTOP: its callback service accepts the
# connection and never replies; Ganesha 4.3 died revoking it), one that
# answers the recall and then dies (no callback service, no RENEW), one
# that answers every recall and keeps the delegation; conflicting opens
# through the granting node and through the other one; then across a
# restart of the granting node. Each prints how long the conflicting
# OPEN waited, from its first try to its success.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup deleg_unreturned
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_ULMCTL "ulmctl"

LEASE=4
MARGIN=1 # Delegation_Revoke_Margin's default
GRACE=4
# Ganesha checks a recall once a second, on whole seconds.
BOUND_MS=$(((LEASE + MARGIN + 1) * 1000))
it_unified_node n1 4 1 delegations=readwrite lease=$LEASE grace=$GRACE dbus=1
it_unified_node n2 4 2 delegations=readwrite lease=$LEASE grace=$GRACE
GANESHA_PID=$(sb_pid n1 ganesha)
it_client_start b n1
it_client_start c n2

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# open_waits CLIENT FILE BOUND_MS: CLIENT's write open of FILE is refused
# (NFS4ERR_DELAY) while the delegation holds, then succeeds within
# BOUND_MS of its first try; the wait is printed.
open_waits() {
	local who=$1 file=$2 bound=$3 start waited
	start=$(now_ms)
	it_expect "$who" "v4 open $file write" "ERR NFS4ERR_DELAY"
	it_expect_within $((bound / 1000 + 2)) "$who" "v4 open $file write" OK
	waited=$(($(now_ms) - start))
	it_note "$who's open of $file waited ${waited} ms (bound ${bound} ms)"
	it_expect_value "$who's open within ${bound} ms" yes \
		"$([ "$waited" -le "$bound" ] && echo yes || echo no)"
	it_expect_store "the revoked delegation left the table" 'type=deleg' 0
	it_expect "$who" "v4 close" OK
}

# holder NAME: a client of node 1 holding a read delegation on NAME's file.
holder() {
	it_client_start "$1" n1 /export --callback
	it_expect "$1" "v4 open confirm-$1 read" OK
	it_expect "$1" "v4 open $1-file read" "OK deleg=read"
}

it_note "1: the holder closes, reopens with another open-owner, locks, unlocks; then never answers"
holder h1
it_expect h1 "v4 close" OK
it_expect h1 "v4 open_owner second" OK
it_expect h1 "v4 open h1-file read" OK
it_expect h1 "v4 lock read 0 10" OK
it_expect h1 "v4 unlock 0 10" OK
kill -STOP "$(sb_pid n1 client-h1)"
open_waits b h1-file "$BOUND_MS"
kill -CONT "$(sb_pid n1 client-h1)"
it_expect h1 "v4 delegreturn" "ERR NFS4ERR_BAD_STATEID"
it_expect_log n1 "the revocation is logged" \
	'UNIFIED: a delegation was revoked \(recalled, not returned within the lease\)'

it_note "2: the holder answers the recall, then dies; the opener is on node 2"
holder h2
it_expect c "v4 open h2-file write" "ERR NFS4ERR_DELAY"
it_expect_within 5 h2 "v4 recalls" "RECALLS 1"
it_client_stop h2
open_waits c h2-file "$BOUND_MS"

it_note "3: the holder answers every recall and keeps the delegation"
holder h3
open_waits b h3-file "$BOUND_MS"
it_expect h3 "v4 recalls" "RECALLS 1"
it_expect h3 "v4 delegreturn" "ERR NFS4ERR_BAD_STATEID"

it_note "4: the holder never answers; the opener is on node 2"
holder h4
kill -STOP "$(sb_pid n1 client-h4)"
open_waits c h4-file "$BOUND_MS"
kill -CONT "$(sb_pid n1 client-h4)"

it_expect_value "node 1 is the Ganesha it was" "$GANESHA_PID" \
	"$(sb_pid_alive "$GANESHA_PID" && sb_pid n1 ganesha)"
STATS=$(sb_exec n1 "$ULM_IT_ULMCTL" stats) || it_fail "ulmctl stats"
it_note "node 1's delegation counters: $(grep deleg_ <<<"$STATS" | tr -s ' \n' ' ')"

it_note "5: node 1 restarts while its delegation is out; the holder never reclaims"
holder h5
kill -STOP "$(sb_pid n1 client-h5)"
sb_stop n1 ganesha TERM || it_fail "node 1 did not stop"
it_expect_store "the delegation outlives node 1" 'type=deleg-read .*node=1 ' 1
sb_ganesha_start n1 || it_fail "node 1 did not restart"
open_waits c h5-file $(((GRACE + LEASE + MARGIN + 1) * 1000))
kill -CONT "$(sb_pid n1 client-h5)"
sb_ganesha_wait_grace n1 30 || it_fail "node 1's grace never ended"
