#!/usr/bin/env bash
# it.failover: two clients hold 1,000 locks (NFSv4 and NLM, half each)
# through service address A of a three-node cluster on bluestore RADOS.
# The node serving A is killed -9, again and again: on odd rounds it
# restarts in place, on even rounds A moves to the other node, which takes
# the dead node over (ulm-takeover: fence, recovery, grace database,
# SM_NOTIFY). The clients reclaim every lock; throughout, a checker on the
# third node tries locks that conflict with held ones (never granted) and
# locks beside them (granted, also during grace). Every round ends with
# all 1,000 locks in the store and the recovery ended early ("everything
# reclaimed"). At least FO_ROUNDS rounds, within FO_BUDGET seconds.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup failover
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_TAKEOVER "ulm-takeover"
FO_GRACE=30
# shellcheck source=tests/integration/failover_lib.sh
. "$IT_SRC/failover_lib.sh"

FO_ROUNDS=${FO_ROUNDS:-10}
FO_BUDGET=${FO_BUDGET:-240}
# Probes of the checker that each round must see answered.
FO_MIN_PROBES=${FO_MIN_PROBES:-5}
A=$(fo_addr 1)

fo_cluster bluestore
fo_node n1 1
fo_node n2 2
fo_node n3 3
fo_start n1 n2 n3
fo_workload "$A" "$(fo_addr 3)"

now_ms() { date +%s%3N; }

# The node ending a recovery logs it: early when nothing is left; with
# file tokens, only after the grace period if the dead node held some
# (frozen files may hide grants it never wrote).
expect_grace_over() {
	local node=$1 dead=$2 line
	sb_wait_until $((FO_GRACE + 5)) eval \
		"sb_ganesha_log_since_start $node | grep -q 'grace over for node $dead '" ||
		it_fail "node $node did not end node $dead's recovery"
	line=$(sb_ganesha_log_since_start "$node" |
		grep -o "grace over for node $dead ([a-z ]*): purged [0-9]*" | tail -n 1)
	[[ $line == *": purged 0" ]] || it_fail "$line (locks were lost)"
	it_pass "$node: $line"
}

holder=n1 other=n2 round=0
declare -A NODE_ID=([n1]=1 [n2]=2)
while [ "$round" -lt "$FO_ROUNDS" ]; do
	[ "$SECONDS" -lt "$FO_BUDGET" ] ||
		it_fail "only $round rounds within ${FO_BUDGET}s"
	round=$((round + 1))
	dead=${NODE_ID[$holder]}
	t0=$(now_ms)
	sb_stop "$holder" ganesha KILL || it_fail "kill -9 $holder"
	if [ $((round % 2)) = 1 ]; then
		it_note "round $round: $holder (node $dead) killed, restarted"
		fo_restart "$holder"
		fo_takeover "$holder" "$dead" "$A"
		ender=$holder
	else
		it_note "round $round: $holder (node $dead) killed, $A moves to $other"
		fo_move "$A" "$holder" "$other"
		fo_takeover "$other" "$dead" "$A"
		ender=$other
	fi
	[ "$FO_RC" = 0 ] || it_fail "ulm-takeover failed (exit $FO_RC)"
	t1=$(now_ms)
	fo_reclaim "$A" a b
	it_expect_value "round $round: reclaims granted" 1000 "$FO_RECLAIMED"
	t2=$(now_ms)
	expect_grace_over "$ender" "$dead"
	it_expect_store "round $round: 1,000 locks held" \
		'type=write .*kind=lock .*client=ulmt-[ab]-' 1000
	echo "round $round: kill to SM_NOTIFY sent $((t1 - t0)) ms, to 1,000 reclaimed $((t2 - t0)) ms" >>"$IT_DIR/rounds.log"
	echo "$round $t0 $(now_ms)" >>"$IT_DIR/round-times"
	# After a move the dead node comes back without an address; the
	# next round kills the node that holds A now.
	if [ "$ender" != "$holder" ]; then
		fo_restart "$holder"
		other=$holder
		holder=$ender
	fi
done

fo_checker_end "during $round rounds"
# Every round was probed: answers between its kill and its end.
while read -r r start end; do
	n=$(awk -v s="$start" -v e="$end" '$2 == "conflict" || $2 == "gap" {
		t = $1 * 1000; if (t >= s && t <= e) n++ } END {print n + 0}' "$FO_CHECKER_LOG")
	[ "$n" -ge "$FO_MIN_PROBES" ] ||
		it_fail "round $r: only $n probes answered (at least $FO_MIN_PROBES)"
	it_pass "round $r: $n probes answered while it ran"
done <"$IT_DIR/round-times"
cat "$IT_DIR/rounds.log"
