#!/usr/bin/env bash
# it.fence_release: nodes n1 (file tokens on) and n3 (tokens off) are cut
# off from Ceph (their clients still reach them) for longer than their
# RADOS lease and than the NFSv4 lease; meanwhile a client of each unlocks
# and closes. A fenced node grants nothing, but keeps every release and
# reports it done (on main: NFS4ERR_GRACE for the LOCKU, the record left
# in the store for good). A silent client of each expires once the cut
# ends (Ganesha's reaper waits for rados_cluster's grace database until
# then). The records stay in the store during the
# fence: b on the healthy n2 is refused by n2's store (not by the one
# kernel all nodes share here), never granted. Once the nodes reach Ceph
# again they write the kept releases unasked: b is granted every released
# range, in a time printed here. The fence is logged once each way and
# counted in ulmctl stats.
# Then n1 is paused (SIGSTOP): b's OPEN of a file n1 holds the token of
# is answered NFS4ERR_DELAY within Rados_Peer_Wait twice. n1, then n3,
# is paused past its RADOS lease within the NFSv4 lease while its client
# unlocks; n3 once more past the NFSv4 lease (its silent client expires):
# b gets every range after the resume.
# Last, n1 is cut again, its client unlocks, and n1 is killed (-9) during
# the fence: the kept release dies with it; its restart's grace purges
# its old records, so nothing outlives the grace.
# Through it all, no two clients held conflicting locks or opens at once
# (it_grant_check, over every answer each client got).
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
	if [ "$IT_REPLY" != OK ]; then
		for n in n1 n2 n3; do
			sb_exec "$n" "$ULM_IT_ULMCTL" stats 2>&1 |
				grep -E 'fence|releases|conflicts' | sed "s/^/# $n: /"
		done
		it_store_list | sed 's/^/# store: /'
	fi
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
# Rados_Peer_Wait as Ganesha's default: the bound of b's OPEN below.
fo_node n1 1 dbus=1 rados_peer_wait=1
fo_node n2 2 dbus=1 rados_peer_wait=1
fo_node n3 3 dbus=1 rados_tokens=false rados_peer_wait=1
fo_start n1 n2 n3
# Ganesha's reaper, which expires clients, also asks rados_cluster's grace
# database in RADOS while in grace, and waits there for a cut-off node.
for n in n1 n2 n3; do
	sb_ganesha_wait_grace "$n" || it_fail "$n still in grace"
done
for id in 101 102 103 104 105 106; do fo_host "h$id" "$id"; done
# n1 grants under file tokens, n3 writes every change (tokens off); a and
# s (silent: it renews nothing) are their clients, b the next client.
fo_client a1 h101 "$(fo_addr 1)"
fo_client s1 h102 "$(fo_addr 1)" --lease-renew 3600
fo_client a3 h103 "$(fo_addr 3)"
fo_client s3 h104 "$(fo_addr 3)" --lease-renew 3600
fo_client b h105 "$(fo_addr 2)"
fo_client p3 h106 "$(fo_addr 3)" --lease-renew 3600

# hold N: node N's clients lock f$N and g$N [0,9] and open h$N deny both.
hold() {
	it_expect "a$1" "v4 open f$1 both" OK
	it_expect "a$1" "v4 lock write 0 10" OK
	it_expect "a$1" "v4 open h$1 both deny both" OK
	it_expect "s$1" "v4 open g$1 both" OK
	it_expect "s$1" "v4 lock write 0 10" OK
	it_expect b "v4 open g$1 both" OK
	it_expect b "v4 open f$1 both" OK
	it_expect_store_refusal n2 b "v4 lock write 5 1" "DENIED write 0 10"
	it_expect b "v4 open h$1 read" "ERR NFS4ERR_SHARE_DENIED"
}

# release N: during the fence a$N unlocks and closes: OK, kept.
release() {
	it_expect "a$1" "v4 file f$1" OK
	it_expect "a$1" "v4 lock write 100 1" "ERR NFS4ERR_GRACE"
	it_expect "a$1" "v4 unlock 0 10" OK
	it_expect "a$1" "v4 file h$1" OK
	it_expect "a$1" "v4 close" OK
}

# still_held N: the records are in the store: refused on n2, not granted.
still_held() {
	it_send b "v4 file f$1"
	refused_by_store "a$1's range" "v4 lock write 0 10"
	it_send b "v4 file g$1"
	refused_by_store "s$1's range" "v4 lock write 0 10"
}

# granted N T0: b is granted every range released on node N.
granted() {
	it_send b "v4 file f$1"
	granted_after "$2" "n$1 reached Ceph again" 20 "n$1: a$1's unlocked range" "v4 lock write 0 10"
	it_send b "v4 file g$1"
	granted_after "$2" "n$1 reached Ceph again" 20 "n$1: s$1's range (expired after the cut)" "v4 lock write 0 10"
	granted_after "$2" "n$1 reached Ceph again" 20 "n$1: a$1's closed deny-both open" "v4 open h$1 read"
}

# counted N: one fence logged each way and counted; every release written.
counted() {
	sb_wait_until 10 eval "[ \$(log_count n$1 '$LIVE') -ge 1 ]" ||
		it_fail "n$1 did not log that it is live again"
	it_expect_value "n$1 logged its fence once" 1 "$(log_count "n$1" "$FENCED")"
	it_expect_value "n$1 logged it is live again once" 1 "$(log_count "n$1" "$LIVE")"
	it_expect_value "fences on n$1" 1 "$(node_stat "n$1" fences)"
	it_expect_value "fenced_now on n$1" 0 "$(node_stat "n$1" fenced_now)"
	it_expect_value "releases pending on n$1" 0 "$(node_stat "n$1" releases_pending)"
	it_expect_value "releases replayed on n$1" "$(node_stat "n$1" releases_kept)" \
		"$(node_stat "n$1" releases_replayed)"
	it_expect_value "no refused release reached Ganesha on n$1" 0 \
		"$(log_count "n$1" 'state_unlock failed\|could not drop\|UNLOCK refused')"
}

hold 1
hold 3

it_note "n1 and n3 lose Ceph for longer than their lease and the NFSv4 lease"
fo_cut n1
fo_cut n3
cut_ms=$(now_ms)
for n in 1 3; do
	sb_wait_until 10 eval "[ \$(log_count n$n '$FENCED') -ge 1 ]" ||
		it_fail "n$n did not log its fence"
	it_pass "n$n fenced itself $(($(now_ms) - cut_ms)) ms after the cut (RADOS lease $FO_RADOS_LEASE_MS ms)"
done
release 1
release 3
# s1 and s3 renew nothing, but their leases end only with the cut:
# Ganesha's reaper first reads rados_cluster's grace database, and waits
# there while its node is cut off.
for n in 1 3; do
	sb_wait_until 10 stat_at_least "n$n" releases_kept 2 ||
		it_fail "n$n kept $(node_stat "n$n" releases_kept) releases, not 2 (a's unlock and close)"
	it_pass "n$n kept $(node_stat "n$n" releases_kept) releases while fenced, $(node_stat "n$n" releases_pending) pending"
	it_expect_value "fenced_now on n$n" 1 "$(node_stat "n$n" fenced_now)"
done
# Past the NFSv4 lease too; the others see n1 and n3 dead meanwhile.
sb_wait_until 15 eval "[ \$((\$(now_ms) - cut_ms)) -ge $(((FO_LEASE + 2) * 1000)) ]"
still_held 1
still_held 3
it_pass "cut for $(($(now_ms) - cut_ms)) ms"

it_note "n1 and n3 reach Ceph again: they write what they kept, unasked"
fo_heal n1
fo_heal n3
heal_ms=$(now_ms)
granted 1 "$heal_ms"
granted 3 "$heal_ms"
counted 1
counted 3
it_expect_store "no lock of node 1 or 3 left" 'kind=lock node=[13] ' 0
it_expect_store "b's four locks held" 'type=write .*kind=lock .*client=ulmt-b-' 4

# pause N SECONDS: kill -STOP node N's Ganesha that long.
ganesha_pid() { cat "$(sb_node_dir "$1")/ganesha.pidfile"; }

it_note "n1 paused (SIGSTOP): b's OPEN of a file whose token n1 holds waits at most Rados_Peer_Wait twice"
# n1 alone on t: it holds t's token, which b's OPEN must ask it for.
it_expect a1 "v4 open t both" OK
it_expect a1 "v4 lock write 200 10" OK
t_key=$(it_store_list | grep -E -m 1 'start=200 end=209 .*client=ulmt-a1-' |
	sed -n 's/^file=\([0-9a-f]*\) .*/\1/p')
[ -n "$t_key" ] || it_fail "a1's lock on t is not in the store"
# A token unused for 5 s goes back (the watch's idle trim), and a loaded
# host may take that long to get here: use t just before the pause, and
# check after b's OPEN, n1 still paused, that the token was n1's; if not
# (b's node took a free token), try again.
for try in 1 2 3; do
	it_expect a1 "v4 lock write 300 1" OK
	kill -STOP "$(ganesha_pid n1)" || it_fail "SIGSTOP n1"
	t0=$(now_ms)
	it_send b "v4 open t both"
	took=$(($(now_ms) - t0))
	holder=$(it_rados_token "f.$t_key")
	kill -CONT "$(ganesha_pid n1)" || it_fail "SIGCONT n1"
	[ "$holder" != 1 ] || break
	it_note "n1 gave t's token back before the pause (try $try: b's OPEN $IT_REPLY)"
	[ "$try" -lt 3 ] || it_fail "n1 did not keep t's token for a pause"
done
[[ $IT_REPLY == "ERR NFS4ERR_DELAY" || $IT_REPLY == "ERR NFS4ERR_GRACE" ]] ||
	it_fail "b's OPEN of t while its holder n1 is paused: $IT_REPLY"
# Rados_Peer_Wait (1 s) for the join, 1 s for the handover, and a margin
# (on main: 5 s for each).
[ "$took" -lt 3500 ] ||
	it_fail "b's OPEN of t waited $took ms for the paused n1 (bound 3.5 s)"
it_pass "b's OPEN of t while n1 is paused: $IT_REPLY after $took ms"
it_expect_within 10 b "v4 open t read" OK

# paused_unlock N FILE: node N paused ~3 s (past its RADOS lease, within
# the NFSv4 lease) while its client aN, sharing FILE with b, unlocks.
paused_unlock() {
	local n=$1 file=$2 stop_ms
	it_note "n$n paused (SIGSTOP) ~3 s: past its RADOS lease, within the NFSv4 lease; a$n unlocks meanwhile"
	it_expect "a$n" "v4 open $file both" OK
	it_expect "a$n" "v4 lock write 0 10" OK
	it_expect b "v4 open $file both" OK
	kill -STOP "$(ganesha_pid "n$n")" || it_fail "SIGSTOP n$n"
	stop_ms=$(now_ms)
	# Past the RADOS lease (2 s), and short of the NFSv4 lease (5 s)
	# less a renewal (1 s) whatever b's refusal takes on a loaded
	# machine: a$n's state must outlive the pause.
	sleep 2.2
	it_send b "v4 file $file"
	refused_by_store "a$n's range on $file (n$n paused)" "v4 lock write 0 10"
	fo_send "a$n" <<<"v4 unlock 0 10"
	sleep 0.3
	kill -CONT "$(ganesha_pid "n$n")" || it_fail "SIGCONT n$n"
	cont_ms=$(now_ms)
	it_note "n$n was paused $((cont_ms - stop_ms)) ms"
	fo_expect_all "a$n" OK
	granted_after "$cont_ms" "n$n resumed" 20 "a$n's range unlocked during the pause" "v4 lock write 0 10"
}
paused_unlock 1 u
paused_unlock 3 p

it_note "n3 paused (SIGSTOP) 8 s: past the NFSv4 lease; its silent client p3 expires"
it_expect p3 "v4 open q both" OK
it_expect p3 "v4 lock write 0 10" OK
it_expect b "v4 open q both" OK
kill -STOP "$(ganesha_pid n3)" || it_fail "SIGSTOP n3"
sleep 3
it_send b "v4 file q"
refused_by_store "p3's range on q (n3 paused)" "v4 lock write 0 10"
sleep 5
kill -CONT "$(ganesha_pid n3)" || it_fail "SIGCONT n3"
cont_ms=$(now_ms)
granted_after "$cont_ms" "n3 resumed" 30 "expired p3's range" "v4 lock write 0 10"
it_pass "n3 fenced $(node_stat n3 fences) times in all, $(node_stat n3 fenced_seconds) s; releases kept $(node_stat n3 releases_kept), written $(node_stat n3 releases_replayed)"

it_note "n1 cut again; a1 unlocks during the fence; n1 killed (-9) then"
it_expect a1 "v4 open k both" OK
it_expect a1 "v4 lock write 0 10" OK
it_expect b "v4 open k both" OK
fences=$(log_count n1 "$FENCED")
fo_cut n1
sb_wait_until 10 eval "[ \$(log_count n1 '$FENCED') -gt $fences ]" ||
	it_fail "n1 did not log its fence"
it_expect a1 "v4 unlock 0 10" OK
it_expect_value "releases pending on n1" 1 "$(node_stat n1 releases_pending)"
sb_stop n1 ganesha KILL || it_fail "kill -9 of n1"
fo_heal n1
it_expect_store "a1's lock outlived n1" 'start=0 end=9 .*kind=lock .*client=ulmt-a1-' 1
restart_ms=$(now_ms)
sb_ganesha_start n1 || it_fail "n1 did not restart"
granted_after "$restart_ms" "n1 restarted" $((FO_GRACE + 20)) \
	"a1's range unlocked before the crash (grace $FO_GRACE s)" \
	"v4 lock write 0 10"
it_expect_store "nothing of node 1's first life left" 'node=1 epoch=1 ' 0

it_note "ulmctl nodes shows each node's lease; break node clears a dead node's records, never a live one's"
nodes_on_n2() { sb_exec n2 "$ULM_IT_ULMCTL" nodes --raw; }
store_ctl() {
	sb_exec hub env CEPH_CONF="$IT_CEPH/ceph.conf" "$ULM_IT_INSPECT" \
		--store "rados:ulm/$FO_NS" "$@"
}
# A client of n3's own (a3's and p3's state expired with the pauses).
fo_client c3 h104 "$(fo_addr 3)"
it_expect c3 "v4 open z both" OK
it_expect c3 "v4 lock write 0 10" OK
it_expect_value "n2 sees node 3 live" "*node=3 *lease=live*" "$(nodes_on_n2 | grep '^node=3 ')"
it_expect_value "the store sees node 3 live" "*node=3 *lease=live*" "$(store_ctl nodes --raw | grep '^node=3 ')"
rc=0
out=$(store_ctl break node 3 2>&1) || rc=$?
it_expect_value "break node 3 while it runs: exit 1" 1 "$rc"
it_expect_value "break node 3 while it runs: refused" "*node 3 is live*nothing removed*" "$out"
n3_records=$(it_store_count 'node=3 ')
[ "$n3_records" -ge 1 ] || it_fail "node 3 holds no record to break"
it_pass "n3's $n3_records records kept"
kill_ms=$(now_ms)
sb_stop n3 ganesha KILL || it_fail "kill -9 of n3"
killed_ms=$(now_ms)
sb_wait_until 10 eval "nodes_on_n2 | grep -q '^node=3 .*lease=dead'" ||
	it_fail "n2 does not see node 3 dead: $(nodes_on_n2)"
it_pass "n2 sees node 3 dead once its lease lapsed: $(nodes_on_n2 | grep '^node=3 ')"
# Dead since its last renewal's lease ended: after the kill began, within
# one lease of the kill's end (a renewal may land while kill(1) starts).
since=$(store_ctl nodes --raw | sed -n 's/^node=3 .* since=\([0-9]*\) .*/\1/p')
[ -n "$since" ] && [ "$since" -ge "$kill_ms" ] &&
	[ "$since" -le $((killed_ms + FO_RADOS_LEASE_MS)) ] ||
	it_fail "node 3 dead since '$since', kill from $kill_ms to $killed_ms (lease $FO_RADOS_LEASE_MS ms)"
it_pass "node 3 dead since $((since - kill_ms)) ms after its kill: $(store_ctl nodes | awk '$1 == 3')"
out=$(store_ctl break node 3 2>&1) || it_fail "break node 3: $out"
it_expect_value "break node 3 once dead" "node 3: $n3_records records removed*" "$out"
it_expect_store "nothing of node 3 left" 'node=3 ' 0

# Over the whole run, by what every client was answered: s1, s3 and p3
# renew nothing (their state ends with its lease at the earliest).
it_grant_check --silent s1,s3,p3 --lease "$FO_LEASE"
