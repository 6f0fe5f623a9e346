#!/usr/bin/env bash
# it.deleg_unreturned: a recalled delegation that is not returned is
# revoked one lease (+ Delegation_Revoke_Margin, 1 s) after the recall
# began, whatever its holder does, and Ganesha survives it (4.3 died
# revoking one whose recall could not be sent). For NFSv4.0 and 4.1
# holders: one that closes, reopens with another open-owner, locks,
# unlocks and then never answers a callback (issue 22's case 1); one
# that answers the recall and then dies; one that answers every recall
# and keeps the delegation; one that hangs (SIGSTOP), with the opener on
# the other node. Then a restart of the granting node while its
# delegation is out. Each prints how long the conflicting OPEN waited,
# from its first try to its success.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup deleg_unreturned
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_ULMCTL "ulmctl"

LEASE=4
MARGIN=1 # Delegation_Revoke_Margin's default
GRACE=4
# Revoked at lease + margin after the first recall, when Ganesha next
# checks: once a second, on whole seconds (+1 s, and 1 s for the client's
# retries and a loaded machine); a 4.1 back-channel call that gets no
# answer is only checked when Ganesha gives up on it, 3 s after it was
# sent (MainNFSD/nfs_rpc_callback.c:77).
declare -A BOUND_MS=([0]=$(((LEASE + MARGIN + 2) * 1000))
	[1]=$(((LEASE + MARGIN + 3 + 1) * 1000)))
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

# holder NAME MINOR: a client of node 1 holding a read delegation on the
# file NAME (an NFSv4.0 open-owner's first OPEN is never delegated).
holder() {
	it_client_start "$1" n1 /export --callback --minor "$2"
	[ "$2" != 0 ] || it_expect "$1" "v4 open confirm-$1 read" OK
	it_expect "$1" "v4 open $1 read" "OK deleg=read"
}

# holder_cases MINOR: the four holders of NFSv4.MINOR.
holder_cases() {
	local v=$1 h

	h=h1v$v
	it_note "v4.$v case 1: close, reopen with another open-owner, lock, unlock; then no callback answers"
	holder $h "$v"
	it_expect $h "v4 close" OK
	it_expect $h "v4 open_owner second" OK
	it_expect $h "v4 open $h read" "OK*"
	it_expect $h "v4 lock read 0 10" OK
	it_expect $h "v4 unlock 0 10" OK
	it_expect $h "v4 callback mute" OK
	open_waits b $h "${BOUND_MS[$v]}"
	it_expect $h "v4 delegreturn" "ERR NFS4ERR_BAD_STATEID"

	h=h2v$v
	it_note "v4.$v: the holder answers the recall, then dies; the opener is on node 2"
	holder $h "$v"
	it_expect c "v4 open $h write" "ERR NFS4ERR_DELAY"
	it_expect_within 5 $h "v4 recalls" "RECALLS 1"
	it_client_stop $h
	open_waits c $h "${BOUND_MS[$v]}"

	h=h3v$v
	it_note "v4.$v: the holder answers every recall and keeps the delegation"
	holder $h "$v"
	open_waits b $h "${BOUND_MS[$v]}"
	it_expect $h "v4 recalls" "RECALLS*"
	it_expect $h "v4 delegreturn" "ERR NFS4ERR_BAD_STATEID"

	h=h4v$v
	it_note "v4.$v: the holder hangs (SIGSTOP); the opener is on node 2"
	holder $h "$v"
	kill -STOP "$(sb_pid n1 client-$h)"
	open_waits c $h "${BOUND_MS[$v]}"
	kill -CONT "$(sb_pid n1 client-$h)"
}

holder_cases 0
holder_cases 1
it_expect_log n1 "a revocation is logged" \
	'UNIFIED: a delegation was revoked \(recalled, not returned within the lease\)'
STATS=$(sb_exec n1 "$ULM_IT_ULMCTL" stats) || it_fail "ulmctl stats"
it_note "node 1's delegation counters: $(grep deleg_ <<<"$STATS" | tr -s ' \n' ' ')"
counter() { grep -o "$1 *[0-9]*" <<<"$STATS" | grep -o '[0-9]*$'; }
it_expect_value "every delegation granted was recalled and revoked, none returned" \
	"$(counter deleg_granted) $(counter deleg_granted) 0" \
	"$(counter deleg_recalled) $(counter deleg_revoked) $(counter deleg_returned)"
it_expect_value "node 1 is the Ganesha it was" "$GANESHA_PID" \
	"$(sb_pid_alive "$GANESHA_PID" && sb_pid n1 ganesha)"

it_note "node 1 restarts while its delegation is out; the holder never reclaims"
holder h5 0
kill -STOP "$(sb_pid n1 client-h5)"
sb_stop n1 ganesha TERM || it_fail "node 1 did not stop"
it_expect_store "the delegation outlives node 1" 'type=deleg-read .*node=1 ' 1
sb_ganesha_start n1 || it_fail "node 1 did not restart"
open_waits c h5 $((GRACE * 1000 + BOUND_MS[0]))
kill -CONT "$(sb_pid n1 client-h5)"
sb_ganesha_wait_grace n1 30 || it_fail "node 1's grace never ended"
