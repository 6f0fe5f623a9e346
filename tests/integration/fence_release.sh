#!/usr/bin/env bash
# it.fence_release: node n1 is cut off from Ceph (its clients still reach
# it) for longer than its RADOS lease and than the NFSv4 lease; meanwhile
# its client a unlocks and closes, and its silent client s expires (the
# reaper unlocks and closes for it). n1 is fenced: it grants nothing, but
# it keeps every release and reports it done (before: NFS4ERR_GRACE for
# the LOCKU, the record left in the store for good). The records stay in
# the store during the fence: b on the healthy n2 is refused, never
# granted. Once n1 reaches Ceph again it writes the kept releases unasked:
# b is granted every released range, in a time printed here. The fence is
# logged once each way and counted in ulmctl stats.
# Then n1 is cut again, its client unlocks, and n1 is killed (-9) during
# the fence: the kept release dies with it; its restart's grace purges
# its old records, so nothing outlives the grace.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup fence_release
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_ULMCTL "ulmctl"
FO_GRACE=10
FO_LEASE=5
# shellcheck source=tests/integration/failover_lib.sh
. "$IT_SRC/failover_lib.sh"

now_ms() { date +%s%3N; }

# node_stat NODE NAME: one counter of `ulmctl stats` on NODE.
node_stat() {
	local out n
	out=$(sb_exec "$1" "$ULM_IT_ULMCTL" stats) ||
		it_fail "node $1: ulmctl stats: $out"
	n=$(awk -v k="$2" '$1 == k {print $2}' <<<"$out")
	[ -n "$n" ] || it_fail "node $1: no $2 in: $out"
	echo "$n"
}

stat_at_least() { [ "$(node_stat "$1" "$2")" -ge "$3" ]; }

log_count() {
	sb_ganesha_log_since_start "$1" | grep -c -- "$2" || true
}

FENCED='lost its liveness lease in RADOS and fenced itself'
LIVE='this node is live again'

# b on n2 is granted CMD within SECONDS of T0 (ms, SINCE says what
# happened then); prints the time.
granted_after() {
	local t0=$1 since=$2 limit=$3 what=$4 cmd=$5 deadline=$((SECONDS + $3))
	it_send b "$cmd"
	while [ "$IT_REPLY" != OK ] && [ "$SECONDS" -lt "$deadline" ]; do
		[[ $IT_REPLY == DENIED* || $IT_REPLY == "ERR NFS4ERR_GRACE" ||
			$IT_REPLY == "ERR NFS4ERR_SHARE_DENIED" ]] ||
			it_fail "[b] $cmd: $IT_REPLY"
		sleep 0.1
		it_send b "$cmd"
	done
	it_expect_value "[b] $cmd (within ${limit}s)" OK "$IT_REPLY"
	it_pass "$what: granted to b $(($(now_ms) - t0)) ms after $since"
}

# b on n2 is refused CMD during the fence, by n2's store: a frozen file
# (GRACE), or a conflict its store counted (both nodes lock one kernel,
# whose refusal would look the same to b).
refused_by_store() {
	local what=$1 cmd=$2 before
	before=$(node_stat n2 conflicts)
	it_send b "$cmd"
	case $IT_REPLY in
	"ERR NFS4ERR_GRACE") ;;
	DENIED*)
		[ "$(node_stat n2 conflicts)" -gt "$before" ] ||
			it_fail "b refused $what by the kernel, not the store"
		;;
	*) it_fail "b granted $what during the fence: $IT_REPLY" ;;
	esac
	it_pass "b refused $what during the fence: $IT_REPLY"
}

fo_cluster memstore
fo_node n1 1 dbus=1
fo_node n2 2 dbus=1
fo_start n1 n2
fo_host h101 101
fo_host h102 102
fo_host h103 103
fo_client a h101 "$(fo_addr 1)"
fo_client s h102 "$(fo_addr 1)" --lease-renew 3600
fo_client b h103 "$(fo_addr 2)"

it_expect a "v4 open f both" OK
it_expect a "v4 lock write 0 10" OK
it_expect a "v4 open h both deny both" OK
it_expect s "v4 open g both" OK
it_expect s "v4 lock write 0 10" OK
it_expect b "v4 open f both" OK
it_expect b "v4 open g both" OK
it_expect_store_refusal n2 b "v4 lock write 5 1" "DENIED write 0 10"
it_expect b "v4 open h read" "ERR NFS4ERR_SHARE_DENIED"

it_note "n1 loses Ceph for longer than its lease and the NFSv4 lease"
fo_cut n1
cut_ms=$(now_ms)
sb_wait_until 10 eval "[ \$(log_count n1 '$FENCED') -ge 1 ]" ||
	it_fail "n1 did not log its fence"
it_pass "n1 fenced itself $(($(now_ms) - cut_ms)) ms after the cut (RADOS lease $FO_RADOS_LEASE_MS ms)"
it_expect a "v4 file f" OK
it_expect a "v4 lock write 100 1" "ERR NFS4ERR_GRACE"
it_expect a "v4 unlock 0 10" OK
it_expect a "v4 file h" OK
it_expect a "v4 close" OK
it_note "s renews nothing: its lease lapses, Ganesha's reaper releases its state"
sb_wait_until 30 stat_at_least n1 releases_kept 4 ||
	it_fail "n1 kept $(node_stat n1 releases_kept) releases, not 4 (a's unlock and close, s's expiry)"
it_pass "n1 kept $(node_stat n1 releases_kept) releases while fenced, $(node_stat n1 releases_pending) pending"
it_expect_value "fenced_now on n1" 1 "$(node_stat n1 fenced_now)"
# The records are still in the store: refused on n2, granted nowhere.
it_send b "v4 file f"
refused_by_store "a's range" "v4 lock write 0 10"
it_send b "v4 file g"
refused_by_store "s's range" "v4 lock write 0 10"
it_pass "cut for $(($(now_ms) - cut_ms)) ms"

it_note "n1 reaches Ceph again: it writes what it kept, unasked"
fo_heal n1
heal_ms=$(now_ms)
it_send b "v4 file f"
granted_after "$heal_ms" "n1 reached Ceph again" 20 "a's unlocked range" "v4 lock write 0 10"
it_send b "v4 file g"
granted_after "$heal_ms" "n1 reached Ceph again" 20 "expired s's range" "v4 lock write 0 10"
granted_after "$heal_ms" "n1 reached Ceph again" 20 "a's closed deny-both open" "v4 open h read"
sb_wait_until 10 eval "[ \$(log_count n1 '$LIVE') -ge 1 ]" ||
	it_fail "n1 did not log that it is live again"
it_expect_value "n1 logged its fence once" 1 "$(log_count n1 "$FENCED")"
it_expect_value "n1 logged it is live again once" 1 "$(log_count n1 "$LIVE")"
it_expect_value "fences on n1" 1 "$(node_stat n1 fences)"
it_expect_value "fenced_now on n1" 0 "$(node_stat n1 fenced_now)"
it_expect_value "releases pending on n1" 0 "$(node_stat n1 releases_pending)"
it_expect_value "releases replayed on n1" "$(node_stat n1 releases_kept)" \
	"$(node_stat n1 releases_replayed)"
it_expect_store "no lock of node 1 left" 'kind=lock node=1 ' 0
it_expect_store "b's two locks held" 'type=write .*kind=lock .*client=ulmt-b-' 2

it_expect_value "no refused release reached Ganesha" 0 \
	"$(log_count n1 'state_unlock failed\|could not drop\|UNLOCK refused')"

it_note "n1 cut again; a unlocks during the fence; n1 killed (-9) then"
it_expect a "v4 open k both" OK
it_expect a "v4 lock write 0 10" OK
it_expect b "v4 open k both" OK
fo_cut n1
sb_wait_until 10 eval "[ \$(log_count n1 '$FENCED') -ge 2 ]" ||
	it_fail "n1 did not log its second fence"
it_expect a "v4 unlock 0 10" OK
it_expect_value "releases pending on n1" 1 "$(node_stat n1 releases_pending)"
sb_stop n1 ganesha KILL || it_fail "kill -9 of n1"
fo_heal n1
it_expect_store "a's lock outlived n1" 'start=0 end=9 .*kind=lock .*client=ulmt-a-' 1
restart_ms=$(now_ms)
sb_ganesha_start n1 || it_fail "n1 did not restart"
granted_after "$restart_ms" "n1 restarted" $((FO_GRACE + 20)) \
	"a's range unlocked before the crash (grace $FO_GRACE s)" \
	"v4 lock write 0 10"
it_expect_store "nothing of node 1's first life left" 'node=1 epoch=1 ' 0
