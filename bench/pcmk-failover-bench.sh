#!/usr/bin/env bash
# Failover under Pacemaker: ULM (UNIFIED on RADOS, ulm-takeover) against
# stock Ganesha 4.3 (FSAL VFS, RecoveryBackend = rados_cluster, no UNIFIED),
# both driven by config_samples/pacemaker-ulm.crm, one after the other in
# one run (each on a fresh three-node cluster, tests/integration/
# pcmk_lib.sh), the workload of it.pcmk_crash:
#
#   bench/pcmk-failover-bench.sh
#
# Clients a and b hold 1,000 locks (NFSv4 and NLM) through nfs1's service
# address; nfs1's Ganesha is killed -9. Pacemaker's monitor notices, moves
# the address to nfs2 and runs the address agent's start there. Printed
# per system, in seconds after the kill: the address started on nfs2
# (crm_mon -1), then every reclaim is sent at once: the first granted,
# all 1,000 answered and how many were granted; and how many locks conflicting with
# held ones a checker on nfs3 was granted (of how many tried). Last, the
# ratios ULM / stock.
#
# Stock has no ulm-takeover: its address agent runs bench/stock-takeover
# in its place (the crm file's TAKEOVER), which does what stock has for a
# node that died: its member in the grace database needs grace
# (ganesha-rados-grace start), so every node enters grace; no fencing, no
# SM_NOTIFY (the clients are driven to reclaim at once). Its clients
# reclaim through nfs2 during that grace; NFSv4 reclaims of clients nfs2
# never knew are refused (NFS4ERR_NO_GRACE, nfs4_op_open.c:148).
# ULM_BENCH_GRACE: Grace_Period (default 20 s, both).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" != --system ]; then
	build=$(ULM_BUILD_DIR=${ULM_BUILD_DIR:-$root/build} "$root/scripts/build.sh")
	declare -A RESULT=()
	results=$(mktemp)
	trap 'rm -f "$results"' EXIT
	for system in ulm stock; do
		ULM_BENCH_BUILD=$build ULM_BENCH_RESULTS=$results \
			"$0" --system "$system" || true
		RESULT[$system]=$(sed -n "s/^$system //p" "$results")
		[ -n "${RESULT[$system]}" ] || {
			echo "pcmk-failover-bench: the $system run failed" >&2
			exit 1
		}
	done
	printf '\nFailover under Pacemaker after kill -9 of the node serving 1,000 locks (grace %s s)\n' \
		"${ULM_BENCH_GRACE:-20}"
	printf '%-7s %14s %14s %16s %16s %20s\n' system "address moved" \
		"first reclaim" "1,000 answered" "reclaims granted" "conflicts (tried)"
	for system in ulm stock; do
		read -r moved first all granted conflicts tried <<<"${RESULT[$system]}"
		printf '%-7s %13ss %13ss %15ss %16s %20s\n' "$system" "$moved" \
			"$first" "$all" "$granted/1000" "$conflicts ($tried)"
	done
	read -r um uf ua _ <<<"${RESULT[ulm]}"
	read -r sm sf sa _ <<<"${RESULT[stock]}"
	# -1: no reclaim granted at all.
	awk -v um="$um" -v uf="$uf" -v ua="$ua" -v sm="$sm" -v sf="$sf" -v sa="$sa" '
		function ratio(u, s) { return u > 0 && s > 0 ? sprintf("%.2f", u / s) : "n/a" }
		BEGIN { printf "ratio ULM/stock: address moved %s, first reclaim %s, 1,000 answered %s\n",
			ratio(um, sm), ratio(uf, sf), ratio(ua, sa) }'
	exit 0
fi

system=$2
build=$ULM_BENCH_BUILD
# shellcheck source=bench/bench_lib.sh
. "$root/bench/bench_lib.sh"
bench_it_env "$build"
[ "$system" = ulm ] || {
	export FO_STOCK=1
	ULM_IT_TAKEOVER=$root/bench/stock-takeover
}
# shellcheck source=tests/integration/it_lib.sh
. "$root/tests/integration/it_lib.sh"
it_setup "pcmk_failover_bench_$system"
FO_GRACE=${ULM_BENCH_GRACE:-20}
# shellcheck source=tests/integration/pcmk_lib.sh
. "$IT_SRC/pcmk_lib.sh"
A=$(pc_ip 1)

pc_cluster
pc_up
fo_workload "$A" "$(pc_ip 3)"
sleep 1

secs_since() { awk -v t="$2" -v k="$1" 'BEGIN { printf "%.2f", (t - k) / 1000 }'; }
it_now_ms
t0=$IT_NOW_MS
kill -9 "$(pc_pid nfs1)" || it_fail "kill -9 Ganesha of nfs1"
sb_wait_until 90 pc_placed ip-nfs1 nfs2 || {
	pc_status
	it_fail "Pacemaker did not move ip-nfs1 to nfs2"
}
it_now_ms
moved=$(secs_since "$t0" "$IT_NOW_MS")
it_pass "$system: ip-nfs1 started on nfs2 ${moved}s after the kill"
# Every reclaim at once, as the address is up (the journal has each
# answer's time): the first granted, the last answered.
fo_reclaim "" a b
first=$(awk -F '\t' -v k="$t0" '$2 > k && $4 ~ / reclaim$/ && $5 == "OK" {
	if (!f || $2 < f) f = $2 } END { printf "%.2f", f ? (f - k) / 1000 : -1 }' \
	"$IT_DIR/journal")
it_now_ms
all=$(secs_since "$t0" "$IT_NOW_MS")
it_pass "$system: first reclaim granted ${first}s, 1,000 reclaims answered ${all}s after the kill, $FO_RECLAIMED granted"
touch "$IT_DIR/probe.stop"
wait "$FO_CHECKER" || true
tried=$(grep -c ' conflict ' "$FO_CHECKER_LOG" || true)
conflicts=$(grep -Ec ' conflict .* OK$' "$FO_CHECKER_LOG" || true)
echo "$system $moved $first $all $FO_RECLAIMED $conflicts $tried" >>"$ULM_BENCH_RESULTS"
