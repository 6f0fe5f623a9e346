#!/usr/bin/env bash
# it.pcmk_crash: a real Corosync/Pacemaker cluster of three Ganesha nodes
# (nfs1..nfs3, UNIFIED on RADOS) runs ULM from config_samples/
# pacemaker-ulm.crm. First ocf-tester passes on both OCF agents. Then two
# clients hold 1,000 locks (NFSv4 and NLM) through nfs1's service address;
# nfs1's Ganesha is killed -9. Pacemaker alone notices (monitor), moves the
# address to nfs2 (crm_mon -1 says so, and shows the failure) and takes
# nfs1 over there (ulm-takeover: fence, recovery, grace, SM_NOTIFY); the
# clients reclaim every lock through the address and go on. Throughout, a
# checker on nfs3 tries locks conflicting with held ones: none granted.
# Prints the time from the kill to the first reclaim granted. Last,
# Pacemaker's fencer fences nfs3 (stonith_admin --fence, fence_ulm_ceph):
# its Ganesha, still running, is blocklisted in Ceph and refuses locks.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup pcmk_crash
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_TAKEOVER "ulm-takeover"
# shellcheck source=tests/integration/pcmk_lib.sh
. "$IT_SRC/pcmk_lib.sh"
A=$(pc_ip 1)

pc_cluster

# ocf-tester (resource-agents) on both agents, as Pacemaker would run them
# on nfs1: start, monitor, stop, twice each, exit codes checked. It also
# runs meta-data as nobody, who may not reach the checkout (/root/ulm on
# a fresh machine): the agents go to a tmpfs of nfs1's mount namespace.
sb_exec nfs1 mount -t tmpfs -o mode=755 ulm-ocf /mnt &&
	sb_exec nfs1 install -m 755 "$PC_OCF/ganesha" "$PC_OCF/ulm-takeover" /mnt ||
	it_fail "nfs1: agents for ocf-tester"
ocf_test() {
	local agent=$1 out
	shift
	out=$(sb_exec nfs1 ocf-tester -n "test-$agent" "$@" "/mnt/$agent" 2>&1) || {
		printf '%s\n' "$out" | sed 's/^/#   /'
		it_fail "ocf-tester $agent"
	}
	it_pass "ocf-tester $agent: $(printf '%s\n' "$out" | tail -n 1)"
}
ocf_test ganesha -o config=/etc/ganesha/ganesha.conf
ocf_test ulm-takeover -o ip="$A" -o cidr_netmask=32 -o nic=svc \
	-o home_node=1 -o local_node=1 -o takeover="$ULM_IT_TAKEOVER" \
	-o ceph_conf="$IT_CEPH/ceph.conf" -o pool=ulm -o namespace="$FO_NS"

pc_up

fo_workload "$A" "$(pc_ip 3)"

now_ms() { date +%s%3N; }
pid=$(pc_pid nfs1)
t0=$(now_ms)
kill -9 "$pid" || it_fail "kill -9 Ganesha of nfs1"
it_note "Ganesha of nfs1 (pid $pid) killed -9"
sb_wait_until 60 pc_placed ip-nfs1 nfs2 || {
	pc_status
	it_fail "Pacemaker did not move ip-nfs1 to nfs2"
}
t_moved=$(now_ms)
it_pass "crm_mon -1: ip-nfs1 started on nfs2 after $((t_moved - t0)) ms"
pc_status | grep -q "ganesha 2s-interval monitor on nfs1 returned 'not running'" || {
	pc_status
	it_fail "crm_mon -1 does not show nfs1's failed Ganesha"
}
it_pass "crm_mon -1: ganesha 2s-interval monitor on nfs1 returned 'not running'"
pc_ganesha_on nfs2 nfs3 && pc_placed ip-nfs2 nfs2 &&
	pc_placed ip-nfs3 nfs3 || {
	pc_status
	it_fail "crm_mon -1: not Ganesha on nfs2 and nfs3 only, ip-nfs2/3 at home"
}
it_pass "crm_mon -1: Ganesha started on nfs2 and nfs3 only, ip-nfs2/3 at home"

# SM_NOTIFY from A to both; the first reclaim is a's first NLM lock (it
# is reclaimed again with the others).
for cl in a b; do fo_nsm_notified "$cl" "$A"; done
it_expect a "nlm lock write 0 5 nlm-a-1 reclaim" OK
t_first=$(now_ms)

# Grace as an operator sees it (ulmctl grace, from RADOS): node 1 in
# grace, ended by nfs2, one reclaim adopted, the rest of what it held
# (locks and opens) left to reclaim, by a and b; its address served by
# nfs2 for node 1's clients; in nfs2's Pacemaker log, the ganesha
# monitor's report. Not counted in the reclaim time.
left=$(it_store_count 'node=1 ')
clients="ulmt-a-$$,ulmt-b-$$"
it_expect_value "ulmctl grace: node 1 after a's first reclaim" \
	"kind=node name=1 grace=yes ganesha=NE by=2 reclaimed=1 unreclaimed=$left clients=$clients" \
	"$(fo_grace node 1 grace,ganesha,by,reclaimed,unreclaimed,clients)"
it_expect_value "ulmctl grace: address $A" \
	"kind=address name=$A node=1 at=2 grace=yes unreclaimed=$left" \
	"$(fo_grace address "$A" node,at,grace,unreclaimed)"
plog=$(pcmk__dir nfs2)/log-pacemaker/pacemaker.log
sb_wait_until 10 grep -q "INFO: grace: kind=node name=1 .*by=2 " "$plog" ||
	it_fail "no grace report of the ganesha monitor in $plog"
it_pass "nfs2's Pacemaker log: $(grep -o 'ganesha.*INFO: grace: kind=node name=1 .*' "$plog" | tail -n 1)"
fo_ulmctl_grace | sed 's/^/#   /'
checks_ms=$(($(now_ms) - t_first))
fo_reclaim "" a b
it_expect_value "reclaims granted through nfs2" 1000 "$FO_RECLAIMED"
t_all=$(($(now_ms) - checks_ms))
# Nothing left, no client listed (nfs1 held file tokens: its recovery
# runs its grace period, unless that already ended).
it_expect_value "ulmctl grace: node 1 after the reclaims" \
	"kind=node name=1 grace=@(yes unreclaimed=0|no)" \
	"$(fo_grace node 1 grace,unreclaimed,clients)"
sb_wait_until $((FO_GRACE + 5)) eval "pc_glog nfs2 | grep -q 'grace over for node 1 '" ||
	it_fail "nfs2 did not end node 1's recovery"
line=$(pc_glog nfs2 | grep -o "grace over for node 1 ([a-z ]*): purged [0-9]*" | tail -n 1)
[[ $line == *": purged 0" ]] || it_fail "$line (locks were lost)"
it_pass "nfs2: $line"
# Its NEED in the grace database is cleared once every member enforces.
ended="kind=node name=1 grace=no ganesha=E"
sb_wait_until 10 eval '[ "$(fo_grace node 1 grace,ganesha,by)" = "$ended" ]' || true
it_expect_value "ulmctl grace: node 1 once its recovery ended" "$ended" \
	"$(fo_grace node 1 grace,ganesha,by)"
it_expect_store "1,000 locks held after the takeover" \
	'type=write .*kind=lock .*client=ulmt-[ab]-' 1000
# The clients carry on through nfs2: a new lock, an unlock.
it_expect a "nlm lock write 5000 5 nlm-a-1" OK
it_expect a "nlm unlock 5000 5 nlm-a-1" OK
it_expect b "v4 file v4-b-1" OK
it_expect b "v4 lock write 5000 5" OK

fo_checker_end "through nfs3 during the crash and takeover"

# Fencing through Pacemaker: fence_ulm_ceph blocklists nfs3's RADOS
# clients; its Ganesha runs on but cannot renew its lease, and refuses.
# Asked at nfs3's own address: ip-nfs3 moves to nfs2 once nfs3 is fenced
# (1.4 s later, before nfs3's lease lapsed, in one run).
fo_client f h103 10.77.3.2
it_expect f "v4 open v4-a-1 both" OK
it_expect f "v4 lock write 9000 5" OK
fence_out=$(sb_exec nfs2 stonith_admin --fence nfs3 --timeout 60 2>&1) ||
	it_fail "stonith_admin --fence nfs3: $fence_out"
it_pass "stonith_admin --fence nfs3: exit status 0"
pc_fenced nfs3
it_expect_value "ulm-takeover --status of node 3" "node 3: not live" \
	"$(sb_exec nfs2 "$ULM_IT_TAKEOVER" --node 3 --status \
		--ceph-conf "$IT_CEPH/ceph.conf" --pool ulm --namespace "$FO_NS")"
it_expect_within 10 f "v4 lock write 9100 5" "ERR NFS4ERR_GRACE"
# Told it was fenced, nfs3's Pacemaker stops and stays down (fence-reaction
# stop: "We were allegedly just fenced"); its peers see it gone.
sb_wait_until 20 eval "! pcmk_online nfs2 | grep -qw nfs3" || {
	sb_exec nfs2 crm_mon -1
	it_fail "crm_mon -1 on nfs2 still shows nfs3 online after its fencing"
}
it_pass "crm_mon -1 on nfs2: online $(pcmk_online nfs2) (nfs3's Pacemaker stopped itself)"
echo "pcmk_crash: kill -9 to ip-nfs1 started on nfs2 (crm_mon) $((t_moved - t0)) ms," \
	"to first reclaim granted $((t_first - t0)) ms, to 1,000 reclaimed $((t_all - t0)) ms"
