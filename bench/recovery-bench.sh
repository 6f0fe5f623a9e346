#!/usr/bin/env bash
# Recovery after a node crash: ULM (UNIFIED on RADOS) beside stock Ganesha
# 4.3 (FSAL VFS, RecoveryBackend = rados_cluster), measured in one run on
# one Ceph cluster (bluestore), with the workload of it.failover:
#
#   bench/recovery-bench.sh
#
# Three nodes; clients a and b hold 1,000 locks (NFSv4 and NLM) through
# service address A of n1. n1 is killed -9, then restarted (ULM also: A
# moves to n2, which takes n1 over). Meanwhile a prober on the survivor
# n2 takes a new lock that conflicts with nothing, again and again, and a
# checker on n3 tries locks inside held ones. Printed per run:
#   - new lock on a survivor: the first one granted among those asked
#     after the kill, in seconds after the kill (goal: 0 s into grace),
#     and how long in all the survivor refused such locks (grace);
#   - all 1,000 reclaims answered, seconds after the kill (goal: within
#     one NFSv4 lease), and how many were granted;
#   - conflicting locks the cluster granted while the checker tried them
#     (must be 0).
# ULM_BENCH_LEASE / ULM_BENCH_GRACE: NFSv4 Lease_Lifetime and Grace_Period
# (default 10 and 20 s), the same for both. ULM_BENCH_RUNS: which of
# ulm-restart ulm-move stock-restart (default all three).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(ULM_BUILD_DIR=${ULM_BUILD_DIR:-$root/build} "$root/scripts/build.sh")
# shellcheck source=bench/bench_lib.sh
. "$root/bench/bench_lib.sh"
bench_it_env "$build"
# shellcheck source=tests/integration/it_lib.sh
. "$root/tests/integration/it_lib.sh"
it_setup recovery_bench
FO_LEASE=${ULM_BENCH_LEASE:-10}
FO_GRACE=${ULM_BENCH_GRACE:-20}
# shellcheck source=tests/integration/failover_lib.sh
. "$root/tests/integration/failover_lib.sh"

A=$(fo_addr 1)
declare -A RESULT=()

now() { date +%s.%N; }

fo_cluster bluestore
for h in 101 102 103 104; do fo_host "h$h" "$h"; done

# The prober: new locks on the survivor, each beside nothing, until told
# to stop. "TIME_ASKED TIME_ANSWERED REPLY" per attempt.
prober() {
	local k=0 t0
	while [ ! -e "$IT_DIR/probe.stop" ]; do
		k=$((k + 1))
		t0=$(now)
		fo__probe_send p "v4 lock write $((k * 10)) 2"
		echo "$t0 $(now) $IT_REPLY"
		[ "$IT_REPLY" != OK ] || fo__probe_send p "v4 unlock $((k * 10)) 2"
		sleep 0.05
	done
}

# Bring up system $1 (ulm|stock): nodes, clients, the 1,000 locks.
setup() {
	local node
	FO_STOCK=$([ "$1" = stock ] && echo 1 || echo 0)
	FO_GRACE_NS=grace-$1-$2
	FO_NS=locks-$1-$2
	fo_node n1 1
	fo_node n2 2
	fo_node n3 3
	fo_start n1 n2 n3
	for node in n1 n2 n3; do
		sb_ganesha_wait_grace "$node" $((FO_GRACE + 10)) ||
			it_fail "$node: grace never ended"
	done
	rm -f "$IT_DIR/probe.stop"
	fo_client a h101 "$A" --nsm-listen
	fo_client b h102 "$A" --nsm-listen
	fo_client c h103 "$(fo_addr 3)"
	fo_client p h104 "$(fo_addr 2)"
	it_expect p "v4 open probe-$1-$2 both" OK
	fo_take_locks a b
}

teardown() {
	local node
	touch "$IT_DIR/probe.stop"
	wait
	for node in a b c p; do
		it_client_stop "$node"
		eval "exec ${IT_FD_IN[$node]}>&- ${IT_FD_OUT[$node]}>&-"
		rm -f "$IT_DIR/clients/$node.in" "$IT_DIR/clients/$node.out"
	done
	for node in n1 n2 n3; do fo_node_destroy "$node"; done
	# Their files (v4-a-1...) stay: the next system opens them afresh.
	rm -rf "${IT_EXPORT:?}"/*
}

# After the kill: how soon the prober got a lock, and for how long in all
# the survivor refused one (seconds; each refusal lasts from the asking of
# the first refused lock to the answer granting the next).
probe_stats() {
	awk -v kill="$1" '
		$1 < kill { next }
		$3 == "OK" && !first { first = $2 - kill }
		$3 != "OK" && !since { since = $1 }
		$3 == "OK" && since { refused += $2 - since; since = 0 }
		END { printf "%.2f %.2f\n", first ? first : -1, refused }' \
		"$IT_DIR/probe.log"
}

# The survivor grants again (its last answer is a grant).
survivor_grants() { [ "$(tail -n 1 "$IT_DIR/probe.log" | awk '{print $3}')" = OK ]; }

# run SYSTEM MODE: one crash of n1, recovered by restart or move.
run() {
	local system=$1 mode=$2 t_kill first refused granted_conflicts
	it_note "$system: n1 killed, recovered by $mode"
	setup "$system" "$mode"
	fo_checker c a b >"$IT_DIR/checker.log" 2>&1 &
	prober >"$IT_DIR/probe.log" 2>&1 &
	sleep 1
	t_kill=$(now)
	sb_stop n1 ganesha KILL || it_fail "kill -9 n1"
	if [ "$mode" = restart ]; then
		sb_ganesha_start n1 || it_fail "n1 did not restart"
		[ "$system" = stock ] || fo_takeover n1 1 "$A"
	else
		fo_move "$A" n1 n2
		fo_takeover n2 1 "$A"
	fi
	# Stock Ganesha sends no SM_NOTIFY: its clients reclaim at once.
	fo_reclaim "$([ "$system" = stock ] || echo "$A")" a b
	RECLAIMED_AT=$(now)
	# A survivor in grace grants nothing until it lifts it.
	sb_wait_until $((FO_GRACE * 3)) survivor_grants ||
		it_fail "the survivor grants no new lock"
	read -r first refused < <(probe_stats "$t_kill")
	granted_conflicts=$(grep -Ec ' conflict .* OK$' "$IT_DIR/checker.log" || true)
	RESULT[$system-$mode]=$(printf '%s %s %s %s %s/%s' "$first" "$refused" \
		"$(awk -v a="$RECLAIMED_AT" -v k="$t_kill" 'BEGIN { printf "%.2f", a - k }')" \
		"$FO_RECLAIMED" \
		"$granted_conflicts" "$(grep -c ' conflict ' "$IT_DIR/checker.log" || true)")
	teardown
}

runs=${ULM_BENCH_RUNS:-ulm-restart ulm-move stock-restart}
for key in $runs; do run "${key%-*}" "${key#*-}"; done

printf '\nRecovery after kill -9 of the node serving 1,000 locks (NFSv4 lease %s s, grace %s s)\n' \
	"$FO_LEASE" "$FO_GRACE"
printf '%-14s %15s %16s %16s %16s %18s\n' "" "first new lock" \
	"new locks refused" "1,000 reclaims" "reclaims granted" "conflicts granted"
printf '%-14s %15s %16s %16s %16s %18s\n' system "on survivor" \
	"on survivor" "answered" "" "(tried)"
for key in $runs; do
	read -r first refused reclaimed granted conflicts <<<"${RESULT[$key]}"
	printf '%-14s %14ss %15ss %15ss %16s %18s\n' "$key" "$first" \
		"$refused" "$reclaimed" "$granted/1000" "$conflicts"
done
