#!/usr/bin/env bash
# it.pcmk_standby: `crm node standby nfs1` while two NLM clients hold locks
# through nfs1's service address. Every resource leaves nfs1: the address
# first (its stop makes nfs1's Ganesha forget the clients without
# releasing their records, ulm-takeover --left), then Ganesha. nfs2 starts
# the address with no takeover and no grace; the clients reclaim through
# it. Throughout, a prober of the address sees only DENIED and a checker on
# nfs3 is granted nothing. `crm node online nfs1`: Ganesha starts there
# again, the address stays on nfs2 (the policy's stickiness), and nfs1's
# new life serves nothing of the clients' locks.
# NFSv4.0 client d and NFSv4.1 client f hold opens and locks through the
# address too. On nfs2 they recover as from a planned move (their OPEN
# CLAIM_PREVIOUS is NFS4ERR_NO_GRACE, their new opens and locks take over
# their records: adoption by identity): d as soon as the address is
# there, nfs1's Ganesha maybe still running, f once it ended. Checker g
# (nfs3) is refused their ranges and d's denied open throughout.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup pcmk_standby
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_TAKEOVER "ulm-takeover"
# shellcheck source=tests/integration/pcmk_lib.sh
. "$IT_SRC/pcmk_lib.sh"
A=$(pc_ip 1)
pc_nlm_holders
pc_v4_holders d f g 106
# When nfs1's Ganesha ends (its pid gone), to tell when d recovered.
nfs1_pid=$(pc_pid nfs1)
(
	while kill -0 "$nfs1_pid" 2>/dev/null && kill -0 $$ 2>/dev/null; do
		sleep 0.05
	done
	it_now_ms
	echo "$IT_NOW_MS" >"$IT_DIR/nfs1-ganesha.end"
) &

pc_v4_checker_start
pc_probes_start
it_now_ms
t0=$IT_NOW_MS
pcmk_crm nfs1 node standby nfs1 >"$IT_DIR/standby.out" 2>&1 ||
	it_fail "crm node standby nfs1: $(cat "$IT_DIR/standby.out")"
cat "$IT_DIR/standby.out"
sb_wait_until 90 pc_placed ip-nfs1 nfs2 || {
	pc_status
	it_fail "crm_mon -1: ip-nfs1 not started on nfs2"
}
it_now_ms
d_sent=$IT_NOW_MS
pc_v4_recover d
d_back=$PC_V4_BACK_MS
standby_done() {
	pc_status | grep -q '^ \* Node nfs1: standby$' &&
		pc_placed ip-nfs1 nfs2 && pc_ganesha_on nfs2 nfs3
}
sb_wait_until 90 standby_done || {
	pc_status
	it_fail "crm_mon -1: nfs1 not in standby with ip-nfs1 on nfs2, Ganesha on nfs2 nfs3"
}
it_now_ms
it_pass "crm_mon -1: nfs1 standby, ip-nfs1 started on nfs2, Ganesha started on nfs2 nfs3 only, $((IT_NOW_MS - t0)) ms after crm node standby"
sb_alive nfs1 ganesha.nfsd && it_fail "nfs1's ganesha.nfsd still runs in standby"
# It ended cleanly (its lock store closed, its file tokens given back).
pc_logged nfs1 ganesha "Unloading FSAL UNIFIED" ||
	it_fail "nfs1's Ganesha did not get through its shutdown (no 'Unloading FSAL UNIFIED')"
it_pass "nfs1's Ganesha log: Unloading FSAL UNIFIED"
sb_wait_until 5 test -s "$IT_DIR/nfs1-ganesha.end" ||
	it_fail "nfs1's Ganesha (pid $nfs1_pid) still alive"
nfs1_end=$(cat "$IT_DIR/nfs1-ganesha.end")
if [ "$nfs1_end" -lt "$d_sent" ]; then
	d_when="after nfs1's Ganesha ended ($((d_sent - nfs1_end)) ms before d asked)"
elif [ "$nfs1_end" -gt "$d_back" ]; then
	d_when="while nfs1's Ganesha still ran (it ended $((nfs1_end - d_back)) ms later)"
else
	d_when="while nfs1's Ganesha was ending (it ended between d's first call and d's last answer)"
fi
it_pass "d back through nfs2 $((d_back - t0)) ms after crm node standby, $d_when; nfs1 let go below of $(pc_glog nfs1 | grep -c 'was taken over through another node' || true) locks"
it_expect_store "nfs1's Ganesha ended: f's 2 locks still node 1's" \
	'type=write .*proto=nfs4 .*node=1 .*client=ulmt-f-' 2
pc_v4_recover f

pc_moved_without_takeover
it_expect_store "Ganesha stopped on nfs1: still $HELD locks, node 1's" \
	'type=write .*node=1 .*client=ulmt-[ab]-' "$HELD"
# Ganesha 4.3 asked the whole cluster for grace at its shutdown
# (rados_cluster); the agent's stop took that back: no node waits for
# nfs1 to return.
sb_wait_until 15 pc_logged nfs1 pacemaker "stopped nfs1: its grace request lifted" ||
	it_fail "nfs1's stop of Ganesha did not lift its grace request"
it_pass "nfs1's stop of Ganesha: stopped nfs1: its grace request lifted"
it_expect_value "ulmctl grace: node 1 stopped" "kind=node name=1 grace=no ganesha=E" \
	"$(fo_grace node 1 grace,ganesha)"

pc_nlm_reclaim "$A" a b
it_expect_store "$HELD locks reclaimed through nfs2, all nfs2's" \
	'type=write .*node=2 .*client=ulmt-[ab]-' "$HELD"
it_expect a "nlm lock write 5000 5 mv-a-1" OK
it_expect a "nlm unlock 5000 5 mv-a-1" OK
# Ganesha's own grace on nfs2 and nfs3 (NLM TEST refused) ends within
# Grace_Period of nfs1's stop, nfs1 still away.
grace_over() {
	pc_glog nfs2 | grep -E 'Now (NOT )?IN GRACE' | tail -n 1 |
		grep -q 'NOT IN GRACE' &&
		tail -n 1 "$IT_DIR/prober.log" | grep -q ' DENIED write'
}
sb_wait_until $((FO_GRACE + 10)) grace_over ||
	it_fail "nfs2 did not leave Ganesha's grace while nfs1 was away"
pc_probes_end $(((FO_GRACE + 5) * 1000))
pc_v4_checker_end

# nfs1 back: Ganesha starts there, the address stays where it is.
pcmk_crm nfs1 node online nfs1 >/dev/null 2>&1 || it_fail "crm node online nfs1"
sb_wait_until 60 pc_ganesha_on nfs1 nfs2 nfs3 || {
	pc_status
	it_fail "Pacemaker did not start Ganesha on nfs1 again"
}
sb_exec nfs3 crm_resource --wait --timeout=60s ||
	it_fail "the cluster did not settle after nfs1 came online"
pc_placed ip-nfs1 nfs2 && pc_placed ip-nfs2 nfs2 && pc_placed ip-nfs3 nfs3 || {
	pc_status
	it_fail "crm_mon -1: an address moved after nfs1 came online"
}
it_pass "crm_mon -1: nfs1 online, Ganesha started on nfs1 nfs2 nfs3, ip-nfs1 still on nfs2 (stickiness)"

# nfs1's new life serves nothing of a's and b's: a client of nfs1 itself
# (its ring address) is denied their locks and granted beside them.
fo_client e h105 10.77.1.2
it_expect_within $((FO_GRACE + 10)) e "nlm lock write 12 1 mv-a-1" \
	"@(DENIED write 10 5*|ERR NLM4_DENIED)"
it_expect e "nlm lock write 15 5 mv-a-1" OK
it_expect e "nlm unlock 15 5 mv-a-1" OK
it_expect e "v4 open mv4-1 write" "ERR NFS4ERR_SHARE_DENIED"
it_expect e "v4 open mv4-2 both" OK
it_expect e "v4 lock write 2 1" "DENIED write 0 5*"
it_expect_store "d's and f's 5 NFSv4 locks, still nfs2's" \
	'type=write .*proto=nfs4 .*node=2 .*client=ulmt-[df]-' 5
it_expect_store "a's and b's locks, still nfs2's" \
	'type=write .*node=2 .*client=ulmt-[ab]-' "$HELD"
for cl in a b; do fo_send "$cl" < <(pc_nlm_locks "$cl" unlock); done
for cl in a b; do fo_expect_all "$cl" OK; done
it_expect e "nlm lock write 10 5 mv-a-1" OK
pc_v4_release
it_grant_check
echo "pcmk_standby: nfs1 standby with ip-nfs1 on nfs2 (crm_mon)," \
	"prober's longest NLM pause $PC_PAUSE ms; NFSv4 client d back $d_when"
