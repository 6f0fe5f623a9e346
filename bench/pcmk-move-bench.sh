#!/usr/bin/env bash
# Planned move under Pacemaker: the pause an NLM client of the moved
# address sees, on the cluster of it.pcmk_move (tests/integration/
# pcmk_lib.sh: three nodes in namespaces, config_samples/pacemaker-ulm.crm
# as it is, UNIFIED on RADOS):
#
#   bench/pcmk-move-bench.sh [ROUNDS]
#
# Clients a and b hold 80 NLM locks through nfs1's service address; a
# prober tests b's first lock through the address in a loop (always
# DENIED) and a checker on nfs3 tries locks inside held ones. Each round
# is one `crm resource move` of ip-nfs1 to the other node (nfs1 -> nfs2,
# then back), the clients reclaiming through the new node once notified.
# Printed per round: the address up on its new node after the move was
# asked; the prober's longest time between two answers (the client-visible
# pause; target under 1 s); its answers NLM4_DENIED_GRACE_PERIOD (target:
# none ever); and, as the anchor measured in the same run, the prober's
# median time between two answers before the first move (a TEST's round
# trip when nothing moves): the pause as a multiple of it. Conflicting
# locks granted to the checker: must be 0.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-2}
build=$(ULM_BUILD_DIR=${ULM_BUILD_DIR:-$root/build} "$root/scripts/build.sh")
# shellcheck source=bench/bench_lib.sh
. "$root/bench/bench_lib.sh"
bench_it_env "$build"
# shellcheck source=tests/integration/it_lib.sh
. "$root/tests/integration/it_lib.sh"
it_setup pcmk_move_bench
# shellcheck source=tests/integration/pcmk_lib.sh
. "$IT_SRC/pcmk_lib.sh"
A=$(pc_ip 1)
pc_nlm_holders
pc_probes_start
sleep 3

# The prober's median gap between two answers so far: the anchor.
it_now_ms
steady=$(awk -v t="$IT_NOW_MS" '$2 <= t { if (n++) print $2 - prev; prev = $2 }' \
	"$IT_DIR/prober.log" | sort -n | awk '{ g[NR] = $1 }
	END { print NR ? g[int((NR + 1) / 2)] : 0 }')

# move_round FROM TO: ip-nfs1 from node FROM to node TO; the clients
# reclaim through TO once notified. ROUND: "moved_ms pause_ms grace".
move_round() {
	local from=$1 to=$2 t0 moved start
	start=$(wc -l <"$IT_DIR/prober.log")
	it_now_ms
	t0=$IT_NOW_MS
	sb_exec "$from" crm resource move ip-nfs1 "$to" >/dev/null 2>&1 ||
		it_fail "crm resource move ip-nfs1 $to"
	sb_wait_until 60 pc_placed ip-nfs1 "$to" || it_fail "ip-nfs1 not started on $to"
	it_now_ms
	moved=$((IT_NOW_MS - t0))
	pc_nlm_reclaim "$A" a b
	sleep 2
	# From the answer before the move to the last: the longest gap.
	ROUND=$(tail -n +"$start" "$IT_DIR/prober.log" | awk -v moved="$moved" '
		/ NLM4_DENIED_GRACE_PERIOD$/ { grace++ }
		/ (DENIED write [0-9]+ [0-9]+( [0-9]+)?|ERR NLM4_DENIED)$/ {
			if (prev && $2 - prev > max) max = $2 - prev; prev = $2 }
		END { print moved, max + 0, grace + 0 }')
}

declare -a RESULT=()
from=nfs1
for r in $(seq 1 "$rounds"); do
	to=$([ "$from" = nfs1 ] && echo nfs2 || echo nfs1)
	move_round "$from" "$to"
	RESULT[r]=$ROUND
	from=$to
done
pc_probes_end
it_grant_check

printf '\nPlanned move of ip-nfs1 under Pacemaker, 2 NLM clients holding %s locks\n' "$HELD"
printf 'anchor: the prober'\''s median time between two answers before any move: %s ms\n' "$steady"
for r in $(seq 1 "$rounds"); do
	read -r moved pause grace <<<"${RESULT[r]}"
	awk -v r="$r" -v m="$moved" -v p="$pause" -v g="$grace" -v s="$steady" 'BEGIN {
		printf "round %d: address moved %d ms; longest pause %d ms (%s x anchor), target < 1000 ms: %s; NLM4_DENIED_GRACE_PERIOD %d, target 0: %s\n",
			r, m, p, (s > 0 ? sprintf("%.0f", p / s) : "n/a"),
			(p < 1000 ? "PASS" : "MISS"), g, (g == 0 ? "PASS" : "MISS") }'
done
echo "conflicting locks granted to the checker on nfs3: 0 (it_grant_check)"
