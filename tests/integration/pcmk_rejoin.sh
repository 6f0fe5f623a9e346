#!/usr/bin/env bash
# it.pcmk_rejoin: a node taken over comes back, under a real Pacemaker
# cluster (pcmk_lib.sh). Clients a and b hold 200 locks (NFSv4 and NLM)
# through nfs1's address; nfs1's Ganesha is killed -9, Pacemaker moves the
# address to nfs2, which takes nfs1 over; a and b reclaim there. Then
# `crm resource cleanup ganesha`: Pacemaker starts Ganesha on nfs1 again.
# Asserted: crm_mon -1 shows Ganesha on all three and ip-nfs1 still on
# nfs2 (resource-stickiness), once the cluster settled; node 1 has a fresh
# epoch and its lease (ulmctl nodes) and is out of grace (ulmctl grace);
# nfs1's new Ganesha serves nothing it held before: a client d of nfs1
# itself is denied a's locks and granted the gaps, a and b carry on through
# nfs2. A checker on nfs3 never gets a conflicting lock. Last, a and b
# release and leave, `crm resource move ip-nfs1 nfs1` brings the address
# home (its start there sends SM_NOTIFY), `crm resource clear` leaves it
# there, and a new client e of the address locks through nfs1.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup pcmk_rejoin
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_TAKEOVER "ulm-takeover"
FO_GRACE=12
FO_FILES=2
FO_LOCKS=25
# shellcheck source=tests/integration/pcmk_lib.sh
. "$IT_SRC/pcmk_lib.sh"
A=$(pc_ip 1)

pc_cluster
pc_up
fo_workload "$A" "$(pc_ip 3)"

# node 1's row of ulmctl nodes (--raw): "node=1 epoch=N lease=L".
node1() {
	sb_exec hub env CEPH_CONF="$IT_CEPH/ceph.conf" "$ULM_IT_ULMCTL" \
		--store "rados:ulm/$FO_NS" --raw -o node,epoch,lease nodes |
		grep '^node=1 ' || it_fail "ulmctl nodes shows no node 1"
}
[[ $(node1) =~ ^node=1\ epoch=([0-9]+)\ lease=live$ ]] ||
	it_fail "node 1 not live before the crash: $(node1)"
epoch=${BASH_REMATCH[1]}
it_pass "ulmctl nodes: node 1 live, epoch $epoch"

kill -9 "$(pc_pid nfs1)" || it_fail "kill -9 Ganesha of nfs1"
it_note "Ganesha of nfs1 killed -9"
sb_wait_until 60 pc_placed ip-nfs1 nfs2 || {
	pc_status
	it_fail "Pacemaker did not move ip-nfs1 to nfs2"
}
it_pass "crm_mon -1: ip-nfs1 started on nfs2"
fo_reclaim "$A" a b
it_expect_value "reclaims granted through nfs2" 200 "$FO_RECLAIMED"
sb_wait_until $((FO_GRACE + 5)) eval "pc_glog nfs2 | grep -q 'grace over for node 1 '" ||
	it_fail "nfs2 did not end node 1's recovery"
it_pass "nfs2: $(pc_glog nfs2 | grep -o 'grace over for node 1 .*' | tail -n 1)"

# Node back: its Ganesha failed once (migration-threshold=1); the cleanup
# lets Pacemaker start it there again. The address stays on nfs2.
pcmk_crm nfs1 resource cleanup ganesha >/dev/null ||
	it_fail "crm resource cleanup ganesha"
sb_wait_until 60 pc_ganesha_on nfs1 nfs2 nfs3 || {
	pc_status
	it_fail "Pacemaker did not start Ganesha on nfs1 again"
}
sb_exec nfs3 crm_resource --wait --timeout=60s ||
	it_fail "the cluster did not settle after the cleanup"
pc_placed ip-nfs1 nfs2 && pc_placed ip-nfs2 nfs2 && pc_placed ip-nfs3 nfs3 || {
	pc_status
	it_fail "crm_mon -1: an address moved after nfs1 came back"
}
it_pass "crm_mon -1: Ganesha started on nfs1 nfs2 nfs3, ip-nfs1 still on nfs2 (stickiness)"
[[ $(node1) =~ ^node=1\ epoch=([0-9]+)\ lease=live$ ]] &&
	[ "${BASH_REMATCH[1]}" -gt "$epoch" ] ||
	it_fail "node 1 has no fresh epoch or no lease: $(node1), epoch $epoch before"
epoch2=${BASH_REMATCH[1]}
it_pass "ulmctl nodes: node 1 live again, epoch $epoch2 (was $epoch)"
# Its own recovery has nothing to reclaim: nfs2 adopted or purged it all.
sb_wait_until $((FO_GRACE + 5)) eval \
	'[[ $(fo_grace node 1 grace) == "kind=node name=1 grace=no" ]]' || true
it_expect_value "ulmctl grace: node 1 back" "kind=node name=1 grace=no" \
	"$(fo_grace node 1 grace)"

# Nothing of its past life is served: a client of nfs1 itself (its ring
# address) is denied a's locks, held through nfs2, and granted the gaps.
fo_host h104 104
fo_client d h104 10.77.1.2
it_expect_within $((FO_GRACE + 10)) d "v4 open v4-a-1 both" OK
it_expect d "v4 lock write 2 1" "DENIED write 0 5*"
it_expect d "v4 lock write 6 2" OK
it_expect d "v4 unlock 6 2" OK
it_expect d "nlm lock write 12 1 nlm-a-1" "@(DENIED write 10 5*|ERR NLM4_DENIED)"
it_expect_store "a's and b's locks, all held through nfs2" \
	'type=write .*kind=lock .*node=2 .*client=ulmt-[ab]-' 200
it_expect a "nlm lock write 5000 5 nlm-a-1" OK
it_expect a "nlm unlock 5000 5 nlm-a-1" OK
it_expect b "v4 file v4-b-1" OK
it_expect b "v4 lock write 5000 5" OK
it_expect b "v4 unlock 5000 5" OK
fo_checker_end "through nfs3 during the crash, the takeover and nfs1's return"

# The address goes home only when moved. a and b first release and leave
# (their NFSv4 state on nfs2 lapses with its lease).
for cl in a b; do
	fo_batch "$cl" OK < <(fo_lock_cmds "$cl" unlock)
	it_client_stop "$cl"
done
it_expect_store_within 30 "a and b hold nothing" 'client=ulmt-[ab]-' 0
pcmk_crm nfs1 resource move ip-nfs1 nfs1 >/dev/null 2>&1 ||
	it_fail "crm resource move ip-nfs1 nfs1"
sb_wait_until 60 pc_placed ip-nfs1 nfs1 || {
	pc_status
	it_fail "crm resource move did not bring ip-nfs1 home"
}
it_pass "crm_mon -1: ip-nfs1 started on nfs1 after crm resource move"
plog=$(pcmk__dir nfs1)/log-pacemaker/pacemaker.log
sb_wait_until 10 grep -q "INFO: sm_notify $A: [0-9]* of [0-9]* clients notified" "$plog" ||
	it_fail "no SM_NOTIFY from $A in nfs1's Pacemaker log"
it_pass "nfs1's Pacemaker log: $(grep -o "sm_notify $A: .*" "$plog" | tail -n 1)"
pcmk_crm nfs1 resource clear ip-nfs1 >/dev/null 2>&1 ||
	it_fail "crm resource clear ip-nfs1"
sb_exec nfs3 crm_resource --wait --timeout=60s ||
	it_fail "the cluster did not settle after the clear"
pc_placed ip-nfs1 nfs1 || {
	pc_status
	it_fail "ip-nfs1 left nfs1 once its move constraint was cleared"
}
it_pass "crm_mon -1: ip-nfs1 stays on nfs1 after crm resource clear"
fo_host h105 105
fo_client e h105 "$A"
it_expect e "v4 open v4-a-1 both" OK
it_expect e "v4 lock write 0 5" OK
it_expect_store "e's lock, held through nfs1 in its new epoch" \
	"type=write .*kind=lock .*node=1 epoch=$epoch2 .*client=ulmt-e-" 1
it_expect d "v4 lock write 2 1" "DENIED write 0 5*"
