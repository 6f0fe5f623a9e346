#!/usr/bin/env bash
# it.pcmk_partition: nfs1 leaves the Corosync membership. Both of its
# links go down (its node link, which carries Corosync and Ceph, and its
# link to the service bridge) while two clients hold 200 locks (NFSv4 and
# NLM) through its address. nfs2 and nfs3 keep quorum; Pacemaker fences
# nfs1 by itself (fence_ulm_ceph: its RADOS clients blocklisted; nothing
# of it can land even if it comes back), moves ip-nfs1 to nfs2, which
# takes node 1 over; the clients reclaim every lock there, granted while
# nfs1's Ganesha still runs cut off: it let go of its kernel locks on the
# shared export once its lease ended. Then the links
# come back and nfs1 rejoins; ip-nfs1 stays on nfs2 (no failback) and the
# locks stay with node 2. Throughout, a checker on nfs3 tries locks
# conflicting with held ones: none granted.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup pcmk_partition
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_TAKEOVER "ulm-takeover"
FO_FILES=2
FO_LOCKS=25
# nfs2 ends node 1's recovery after the grace period (nfs1 held tokens).
FO_GRACE=15
# shellcheck source=tests/integration/pcmk_lib.sh
. "$IT_SRC/pcmk_lib.sh"
A=$(pc_ip 1)

# links_of_nfs1 up|down: its node link and its service link, at the hub.
links_of_nfs1() {
	ip -n "$(sb_ns hub)" link set h1 "$1" &&
		ip -n "$(sb_ns hub)" link set s1 "$1" ||
		it_fail "nfs1's links $1"
}

pc_cluster
pc_up
fo_workload "$A" "$(pc_ip 3)"

now_ms() { date +%s%3N; }
pid1=$(pc_pid nfs1)
t0=$(now_ms)
links_of_nfs1 down
it_note "nfs1's links down"
sb_wait_until 30 eval "! pcmk_online nfs2 | grep -qw nfs1" || {
	sb_exec nfs2 crm_mon -1
	it_fail "crm_mon -1 on nfs2 still shows nfs1 online with its links down"
}
it_pass "crm_mon -1 on nfs2: online $(pcmk_online nfs2) after $(($(now_ms) - t0)) ms"
# Pacemaker fences nfs1 (the membership lost it) and moves its address.
pc_fenced_and_moved
t_moved=$(now_ms)
it_pass "crm_mon -1: ip-nfs1 started on nfs2 after $((t_moved - t0)) ms"
# nfs1's Ganesha, cut off but alive, held its clients' kernel (OFD) locks
# on the export all three nodes share here: it let them go at its lease's
# end, or the sub-FSAL under nfs2 refused every reclaim. Alone without
# quorum, nfs1 stops it too, but only after the address's stop (15 s):
# the first reclaim is granted before, while it surely runs.
fo_nsm_notified a "$A"
it_expect a "nlm lock write 0 5 nlm-a-1 reclaim" OK
kill -0 "$pid1" 2>/dev/null ||
	it_fail "nfs1's Ganesha (pid $pid1) stopped before the first reclaim: it proves nothing"
it_pass "nfs1's Ganesha (pid $pid1) still running after the first reclaim granted"
fo_nsm_notified b "$A"
fo_reclaim "" a b
it_expect_value "reclaims granted through nfs2" $((4 * FO_FILES * FO_LOCKS)) \
	"$FO_RECLAIMED"
t_all=$(now_ms)
pc_logged nfs1 ganesha "liveness lease ended: another node may take it over now; $((4 * FO_FILES * FO_LOCKS)) locks" ||
	it_fail "nfs1's log: no release of its $((4 * FO_FILES * FO_LOCKS)) locks below at its lease's end"
it_pass "nfs1's log: $(pc_glog nfs1 | grep -Eo 'liveness lease ended.*' | head -n 1)"
it_expect_store "the locks held by node 2 after the takeover" \
	'type=write .*kind=lock .*node=2 .*client=ulmt-[ab]-' $((4 * FO_FILES * FO_LOCKS))
# nfs1 held the files' tokens: nfs2 ends node 1's recovery after its grace
# period (its memory may have hidden grants), having purged nothing.
sb_wait_until $((FO_GRACE + 5)) eval "pc_glog nfs2 | grep -q 'grace over for node 1 '" ||
	it_fail "nfs2 did not end node 1's recovery"
it_expect_value "nfs2 ended node 1's recovery" "purged 0 " \
	"$(pc_glog nfs2 | grep -o 'grace over for node 1 .*: purged [0-9]* ' | tail -n 1 | grep -o 'purged [0-9]* ')"

links_of_nfs1 up
it_note "nfs1's links up"
sb_wait_until 60 eval "pcmk_online nfs2 | grep -qw nfs1" || {
	sb_exec nfs2 crm_mon -1
	it_fail "crm_mon -1 on nfs2: nfs1 did not rejoin"
}
it_pass "crm_mon -1 on nfs2: online $(pcmk_online nfs2) (nfs1 rejoined)"
sb_wait_until 60 pc_ganesha_on nfs1 nfs2 nfs3 || {
	pc_status
	it_fail "crm_mon -1: Ganesha not started again on nfs1"
}
it_pass "crm_mon -1: Ganesha started on nfs1 nfs2 nfs3"
pc_placed ip-nfs1 nfs2 || {
	pc_status
	it_fail "ip-nfs1 left nfs2 when nfs1 came back"
}
it_pass "crm_mon -1: ip-nfs1 still on nfs2"
# The clients carry on through nfs2; the locks are still node 2's.
it_expect a "nlm lock write 5000 5 nlm-a-1" OK
it_expect a "nlm unlock 5000 5 nlm-a-1" OK
it_expect b "v4 file v4-b-1" OK
it_expect b "v4 lock write 5000 5" OK
it_expect_store "the locks still node 2's with nfs1 back" \
	'type=write .*kind=lock .*node=2 .*client=ulmt-[ab]-' $((4 * FO_FILES * FO_LOCKS + 1))
fo_checker_end "through nfs3 during the partition, the takeover and the rejoin"
echo "pcmk_partition: links down to ip-nfs1 started on nfs2 (crm_mon) $((t_moved - t0)) ms," \
	"to $((4 * FO_FILES * FO_LOCKS)) reclaimed $((t_all - t0)) ms"
