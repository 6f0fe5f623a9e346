#!/usr/bin/env bash
# it.pcmk_move_v4: a planned move of NFSv4 clients under Pacemaker, with
# no grace on any node. NFSv4.0 client a holds two opens (one denying
# writes) and three locks through nfs1's service address, NFSv4.1 client b
# one open and two locks; `crm resource move ip-nfs1 nfs2`. On nfs2 their
# clientids are stale: they get new ones, their OPEN CLAIM_PREVIOUS is
# NFS4ERR_NO_GRACE, and each does what
# Linux's "nograce" recovery does: opens anew and locks with the same open-
# and lock-owners. Those take over its records of nfs1 (adoption by
# identity, docs/pacemaker.md): granted, the records now nfs2's, and nfs1
# lets go of their kernel locks. Throughout, checker c (through nfs3) is
# refused the ranges and the denied open, and nobody is ever answered
# NFS4ERR_GRACE; once nfs1 expired a's old clientid the records still
# refuse c; once a unlocked and closed through nfs2, c is granted.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup pcmk_move_v4
it_need ULM_IT_TAKEOVER "ulm-takeover"
# shellcheck source=tests/integration/pcmk_lib.sh
. "$IT_SRC/pcmk_lib.sh"
A=$(pc_ip 1)
OWNED='.*proto=nfs4 .*node=2 .*client=ulmt-[ab]-'

pc_cluster
pc_up
for h in 101 102 103; do fo_host "h$h" "$h"; done
fo_client a h101 "$A"
fo_client b h102 "$A" --minor 1
fo_client c h103 "$(pc_ip 3)"

# a's state through nfs1.
a_locks() {
	local suffix=${1:-}
	echo "v4 file mv4-1"
	echo "v4 lock write 0 5$suffix"
	echo "v4 lock write 10 5$suffix"
	echo "v4 file mv4-2"
	echo "v4 lock write 0 5$suffix"
}
b_locks() {
	echo "v4 file mv41"
	echo "v4 lock write 0 5${1:-}"
	echo "v4 lock write 20 5${1:-}"
}
it_expect a "v4 open mv4-1 both deny write" OK
it_expect a "v4 open mv4-2 both" OK
it_expect b "v4 open mv41 both" OK
fo_send a < <(a_locks)
fo_send b < <(b_locks)
fo_expect_all a OK
fo_expect_all b OK
it_expect_store "a's and b's 5 locks held through nfs1" \
	'type=write .*proto=nfs4 .*node=1 .*client=ulmt-[ab]-' 5
it_expect_store "a's and b's 3 opens held through nfs1" \
	'type=share .*proto=nfs4 .*node=1 .*client=ulmt-[ab]-' 3
it_expect c "v4 open mv4-2 both" OK
it_expect c "v4 open mv41 both" OK

# Checker c, in the background until told to stop: a write lock inside
# a's on mv4-2 and inside b's on mv41, and an open of mv4-1 for writing
# (a denies it).
checker() {
	while [ ! -e "$IT_DIR/probe.stop" ] && kill -0 $$ 2>/dev/null; do
		for cmd in "v4 file mv4-2" "v4 lock write 2 1" "v4 file mv41" \
			"v4 lock write 22 1" "v4 open mv4-1 write"; do
			it_now_ms
			sent=$IT_NOW_MS
			fo__probe_send c "$cmd"
			it_journal c "$sent" "$cmd"
			echo "$sent $cmd -> $IT_REPLY"
		done
		sleep 0.05
	done
}
checker >"$IT_DIR/checker.log" 2>&1 &
CHECKER=$!
sleep 1

pc_move_nfs1_to_nfs2
pc_logged nfs2 pacemaker "move: $A was released by its last node: no takeover" ||
	it_fail "nfs2's start of ip-nfs1 took node 1 over"
it_pass "nfs2's start of ip-nfs1: released by its last node, no takeover"

# a and b recover as Linux does: reclaims refused (no grace on nfs2),
# then new opens and locks of the same owners, each granted.
fo_send a < <(a_locks " reclaim")
fo_send b < <(b_locks " reclaim")
fo_expect_all a OK
fo_expect_all b OK
it_now_ms
pause=$((IT_NOW_MS - PC_T0))
it_expect_value "a's OPEN CLAIM_PREVIOUS through nfs2: NFS4ERR_NO_GRACE, opened anew" 2 \
	"$(grep -c 'no grace here: opening anew' "$(sb_node_dir h101)/client-a.out")"
it_expect_value "b's (NFSv4.1) likewise" 1 \
	"$(grep -c 'no grace here: opening anew' "$(sb_node_dir h102)/client-b.out")"
it_expect_store "their 5 locks, now nfs2's" "type=write $OWNED" 5
it_expect_store "their 3 opens, now nfs2's" "type=share $OWNED" 3
it_expect_store "nothing of theirs left as nfs1's" \
	'proto=nfs4 .*node=1 .*client=ulmt-[ab]-' 0
# One line per lock taken over (an event delivered twice logs twice).
let_go=$(pc_glog nfs1 | grep -c 'of a client of this node was taken over through another node (the client moved with its service address): 1 of its locks let go' || true)
[ "$let_go" -ge 5 ] || it_fail "nfs1 let go below of $let_go of their 5 locks"
it_pass "nfs1's log: their 5 locks taken over through another node, let go below ($let_go lines)"
it_expect_value "nfs2's log: a lock still held below at nfs1 after 1 s" 0 \
	"$(pc_glog nfs2 | grep -c 'still held below there' || true)"

# nfs1 expires the old clientids one lease after their last renewal: its
# unlocks and closes release nothing of nfs2's.
sleep $((FO_LEASE * 2 + 1))
it_expect_store "after nfs1's expiry of the old clientids: 5 locks, nfs2's" \
	"type=write $OWNED" 5
it_expect_store "after nfs1's expiry: 3 opens, nfs2's" "type=share $OWNED" 3

touch "$IT_DIR/probe.stop"
wait "$CHECKER" || it_fail "the checker failed"
tried=$(wc -l <"$IT_DIR/checker.log")
it_expect_value "locks granted to c inside a's and b's, of $tried calls" 0 \
	"$(grep -Ec 'lock write 22? 1 -> OK$' "$IT_DIR/checker.log" || true)"
it_expect_value "opens of mv4-1 for writing granted to c" 0 \
	"$(grep -c 'open mv4-1 write -> OK$' "$IT_DIR/checker.log" || true)"
it_expect_value "c's answers other than OK, DENIED, SHARE_DENIED" "" \
	"$(grep -Ev -- '-> (OK|DENIED write [0-9]+ [0-9]+( [0-9]+)?|ERR NFS4ERR_SHARE_DENIED)$' "$IT_DIR/checker.log" || true)"
it_expect_value "NFS4ERR_GRACE answers to a or c" 0 \
	"$(cat "$IT_DIR/checker.log" "$IT_DIR/journal" | grep -c GRACE || true)"

# a lets go through nfs2: c is granted.
it_expect a "v4 file mv4-2" OK
it_expect a "v4 unlock 0 5" OK
it_expect c "v4 file mv4-2" OK
it_expect c "v4 lock write 2 1" OK
it_expect c "v4 unlock 2 1" OK
it_expect a "v4 file mv4-1" OK
it_expect a "v4 unlock 0 5" OK
it_expect a "v4 unlock 10 5" OK
it_expect a "v4 close" OK
it_expect c "v4 open mv4-1 write" OK
it_expect b "v4 unlock 0 5" OK
it_expect b "v4 unlock 20 5" OK
it_expect c "v4 file mv41" OK
it_expect c "v4 lock write 22 1" OK
it_grant_check
echo "pcmk_move_v4: ip-nfs1 on nfs2 $PC_MOVED_MS ms after crm resource move;" \
	"a's and b's opens and locks back through nfs2 $pause ms after it (client-visible" \
	"pause), $((pause - PC_MOVED_MS)) ms after the address was up there"
