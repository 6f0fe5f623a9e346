#!/usr/bin/env bash
# it.pcmk_fence: Pacemaker fences a node by itself when its Ganesha's
# monitor fails. The sample's Ganesha monitor is set to on-fail=fence (the
# operator's choice for hosts whose Ganesha must never be restarted in
# place unfenced); nfs1's Ganesha is killed -9 while a client holds NLM
# locks through its address. Pacemaker's controller asks the fencer to
# fence nfs1 (fence_ulm_ceph: its RADOS clients blocklisted), nfs1's
# Pacemaker stops itself on learning it was fenced, ip-nfs1 moves to nfs2,
# which takes node 1 over; the client reclaims there. No stonith_admin
# --fence: the fencing is Pacemaker's own (its history names a Pacemaker
# daemon as the one who asked).
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup pcmk_fence
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_TAKEOVER "ulm-takeover"
# shellcheck source=tests/integration/pcmk_lib.sh
. "$IT_SRC/pcmk_lib.sh"
A=$(pc_ip 1)

pc_cluster
pc_up

op=$(sb_exec nfs1 cibadmin -Q --xpath \
	"//primitive[@id='ganesha']//op[@name='monitor']" 2>/dev/null |
	grep -o ' id="[^"]*"' | head -n 1)
[ -n "$op" ] || it_fail "no monitor operation of ganesha in the CIB"
sb_exec nfs1 cibadmin --modify --xml-text "<op$op on-fail=\"fence\"/>" ||
	it_fail "cibadmin: on-fail=fence"
it_pass "ganesha's monitor: on-fail=fence ($(sb_exec nfs1 cibadmin -Q --xpath \
	"//op[@$(printf '%s' "${op# }")]" | grep -o 'on-fail="[a-z]*"'))"

fo_host h101 101
fo_client a h101 "$A" --nsm-listen
for i in 0 1 2 3 4; do it_expect a "nlm lock write $((i * 10)) 5 fence-a" OK; done

kill -9 "$(pc_pid nfs1)" || it_fail "kill -9 Ganesha of nfs1"
it_note "Ganesha of nfs1 killed -9"
pc_fenced_and_moved
it_pass "crm_mon -1: ip-nfs1 started on nfs2"
sb_wait_until 20 eval "! pcmk_online nfs2 | grep -qw nfs1" || {
	sb_exec nfs2 crm_mon -1
	it_fail "crm_mon -1 on nfs2 still shows nfs1 online after its fencing"
}
it_pass "crm_mon -1 on nfs2: online $(pcmk_online nfs2) (nfs1's Pacemaker stopped itself)"
fo_nsm_notified a "$A"
for i in 0 1 2 3 4; do it_expect a "nlm lock write $((i * 10)) 5 fence-a reclaim" OK; done
it_expect_store "a's 5 locks, reclaimed through nfs2" \
	'type=write .*node=2 .*client=ulmt-a-' 5
