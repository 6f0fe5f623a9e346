#!/usr/bin/env bash
# it.failover_partition: node n1 is cut off from Ceph (its OSD and mon
# connections dropped by a blackhole route) while its clients still reach
# it. Once its liveness lease lapsed it grants nothing; n2 takes its
# service address over (fencing n1), the clients reclaim there, and a
# conflicting lock is never granted (the move is the OCF agent's, run as
# Pacemaker would). When n1's path to Ceph comes back it
# still grants nothing (blocklisted, fenced): no record of it lands, nor
# a write of its Ganesha to the grace database. Its Ganesha, still up,
# let go of its kernel locks at its lease's end: the clients reclaim
# through n2 before it is killed. A
# client that does not reclaim within the grace period loses its locks to
# the purge (another client may take them), and its late reclaim is
# refused. `ulmctl grace` through n2's DBus shows node 1 in grace (ended
# by n2, the silent client's records left), the rows the offline view
# reads from RADOS, then out of it.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup failover_partition
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_TAKEOVER "ulm-takeover"
FO_GRACE=15
# shellcheck source=tests/integration/failover_lib.sh
. "$IT_SRC/failover_lib.sh"

A=$(fo_addr 1)
fo_cluster memstore
fo_node n1 1
fo_node n2 2 dbus=1
fo_start n1 n2
fo_host h101 101
fo_host h102 102
fo_host h103 103
fo_client a h101 "$A" --nsm-listen
fo_client late h102 "$A" --nsm-listen
fo_client c h103 "$(fo_addr 2)"

it_expect a "v4 open f both" OK
it_expect a "v4 lock write 0 10" OK
it_expect a "nlm lock write 0 10 g" OK
it_expect late "v4 open f both" OK
it_expect late "v4 lock write 100 10" OK
it_expect late "nlm lock write 100 10 g" OK
it_expect c "v4 open f both" OK
# g is locked through n1 alone: n1 holds its token and grants on it from
# memory, with no RADOS call that the cut would make fail.
it_expect_value "n1 holds g's token" 1 \
	"$(it_rados_token_of 'type=write start=0 end=9 proto=nlm ')"

it_note "n1 loses Ceph; its lease lapses; it must not grant"
fo_cut n1
cut_ms=$(date +%s%3N)
# A lock on a new range of g again and again: granted (from memory) until
# the lease lapses, then refused as in grace, and never granted after.
late_grant="" refused="" grants=0
for ((i = 1; i <= 100; i++)); do
	it_send a "nlm lock write $((1000 * i)) 10 g"
	now_ms=$(date +%s%3N)
	case $IT_REPLY in
	OK)
		grants=$((grants + 1))
		[ $((now_ms - cut_ms)) -le "$FO_RADOS_LEASE_MS" ] ||
			late_grant="granted $((now_ms - cut_ms)) ms after the cut"
		;;
	ERR\ NLM4_DENIED_GRACE_PERIOD)
		refused=$((now_ms - cut_ms))
		break
		;;
	*) it_fail "a lock of g after the cut: $IT_REPLY" ;;
	esac
	sleep 0.1
done
it_expect_value "no grant on n1 later than its lease after the cut" "" "$late_grant"
[ -n "$refused" ] || it_fail "n1 still granted 100 locks after the cut"
it_pass "n1 granted $grants, then refused as in grace ${refused} ms after the cut (lease $FO_RADOS_LEASE_MS ms)"
it_expect a "nlm lock write 200 10 g" "ERR NLM4_DENIED_GRACE_PERIOD"
it_expect a "v4 lock write 200 10" "ERR NFS4ERR_GRACE"
# The fence is logged by a thread of its own, which may come a moment
# after the first refusal.
sb_wait_until 5 eval "sb_ganesha_log_since_start n1 | grep -q 'lost its liveness lease in RADOS'" || true
it_expect_log n1 "its fence is logged" 'lost its liveness lease in RADOS'

it_note "Pacemaker moves $A to n2 (the OCF agent): n1 fenced, its records recovering"
fo_ra n1 stop 1 "$A"
it_expect_value "agent stop on n1" 0 "$FO_RC"
fo_ra n2 monitor 1 "$A"
it_expect_value "agent monitor on n2 before start (7: not running)" 7 "$FO_RC"
fo_ra n2 start 1 "$A"
it_expect_value "agent start on n2" 0 "$FO_RC"
# Its lock store's lease and data clients, UNIFIED's recovery client and
# Ganesha's rados_cluster client (a grace database write queued before the
# cut would land after it otherwise).
it_expect_value "n1's RADOS clients blocklisted" 4 \
	"$(sed -n 's/.*fence node 1: blocklisted \(.*\) for [0-9]* s$/\1/p' <<<"$FO_OUT" |
		tr ' ' '\n' | grep -c '10\.77\.1\.2:')"
fo_ra n2 monitor 1 "$A"
it_expect_value "agent monitor on n2" 0 "$FO_RC"
# One dump tells who is in grace, for NFSv4 client records and locks.
it_expect_value "grace database: node 1 needs grace" "*nfs1	NE*" \
	"$(fo_grace_dump)"
it_expect c "v4 lock write 5 1" "ERR NFS4ERR_GRACE"
it_expect c "nlm lock write 5 1 g" "ERR NLM4_DENIED_GRACE_PERIOD"
it_expect c "v4 lock write 50 1" OK

it_note "n1 reaches Ceph again: blocklisted, still fenced, it grants nothing"
fo_heal n1
fo_client d h103 10.77.1.2
# A fenced node's OPEN is "retry later"; its locks say grace (Ganesha 4.3
# takes a lock call's ERR_FSAL_DELAY for a conflict).
it_expect d "v4 open g2 both" "ERR NFS4ERR_DELAY"
it_expect d "nlm lock write 300 1 g" "ERR NLM4_DENIED_GRACE_PERIOD"
it_expect_store "nothing of n1's landed" 'start=300 |node=1 .*client=ulmt-d' 0
it_expect_store "n1's old records still wait for their clients" 'node=1 ' 6

# n1's Ganesha is still up: it let go of its kernel locks on the one
# filesystem all nodes export once its lease ended, so its clients'
# reclaims through n2 get them (else n2's sub-FSAL refused them).
it_expect_log n1 "its locks below let go at its lease's end" \
	"liveness lease ended: another node may take it over now; [0-9]+ locks"
it_expect a "nsm notified" "NOTIFIED $A *"
it_expect a "v4 renew" OK
it_expect a "v4 file f" OK
it_expect a "v4 lock write 0 10 reclaim" OK
it_expect a "nlm lock write 0 10 g reclaim" OK
# A real cluster powers a node that lost its lease off (STONITH).
sb_stop n1 ganesha KILL || it_fail "stopping n1"
it_expect c "v4 lock write 5 1" "DENIED write 0 10"
it_expect c "nlm lock write 5 1 g" "ERR NLM4_DENIED"
# "late" was notified too, but stays silent: its locks stay unreclaimed.
it_expect c "v4 lock write 105 1" "ERR NFS4ERR_GRACE"
# n2's Ganesha answers `ulmctl grace` (DBus) with the rows the offline
# view reads from RADOS: node 1 in grace, ended by n2, late's 3 records
# (an open, two locks) left; its address served by n2.
cols=grace,ganesha,by,reclaimed,unreclaimed,clients
row=$(fo_grace node 1 "$cols" n2)
[[ $row == "kind=node name=1 grace=yes ganesha=NE by=2 reclaimed="[1-9]*" unreclaimed=3 clients=ulmt-late-"* ]] ||
	it_fail "ulmctl grace through n2's DBus: $row"
it_pass "ulmctl grace through n2's DBus: $row"
it_expect_value "ulmctl grace: the same row offline (RADOS)" "$row" \
	"$(fo_grace node 1 "$cols")"
it_expect_value "ulmctl grace through n2's DBus: address $A" \
	"kind=address name=$A node=1 at=2 grace=yes by=2 unreclaimed=3" \
	"$(fo_grace address "$A" node,at,grace,by,unreclaimed n2)"
fo_ulmctl_grace_bus n2 | sed 's/^/#   /'

it_note "grace ends: the silent client's locks are purged, its reclaim refused"
sb_wait_until $((FO_GRACE + 5)) eval \
	"sb_ganesha_log_since_start n2 | grep -q 'grace over for node 1 (grace period elapsed): purged 3 '" ||
	it_fail "n2 did not end node 1's recovery after the grace period"
it_pass "n2 ended node 1's recovery after $FO_GRACE s: 3 records purged"
sb_wait_until 10 eval "fo_grace_dump | grep -q 'rec=0'" || true
it_expect_value "grace database: node 1 needs no grace, none in force" \
	"*rec=0*nfs1	 E*" "$(fo_grace_dump)"
it_expect_value "ulmctl grace through n2's DBus: node 1 out of grace" \
	"kind=node name=1 grace=no ganesha=E" \
	"$(fo_grace node 1 grace,ganesha,by,unreclaimed n2)"
it_expect c "v4 lock write 105 1" OK
it_expect late "nsm notified" "NOTIFIED $A *"
it_expect late "v4 renew" OK
it_expect late "v4 file f" OK
# Through the takeover node its NFSv4 reclaim is an open and lock anew
# (Ganesha: NO_GRACE for a client it never had); c holds the range now.
it_expect late "v4 lock write 100 10 reclaim" "DENIED write 105 1"
it_expect late "nlm lock write 100 10 g reclaim" "ERR NLM4_DENIED_GRACE_PERIOD"
it_expect a "nlm lock write 400 10 g reclaim" "ERR NLM4_DENIED_GRACE_PERIOD"
it_expect_store "a's two locks and c's two are all that is held" 'kind=lock' 4
