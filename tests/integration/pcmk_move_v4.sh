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
pc_v4_holders a b c 101
# Checker c, in the background until told to stop.
pc_v4_checker_start
sleep 1

pc_move_nfs1_to_nfs2
pc_logged nfs2 pacemaker "move: $A was released by its last node: no takeover" ||
	it_fail "nfs2's start of ip-nfs1 took node 1 over"
it_pass "nfs2's start of ip-nfs1: released by its last node, no takeover"

# a and b recover as Linux does: reclaims refused (no grace on nfs2),
# then new opens and locks of the same owners, each granted.
pc_v4_recover a b
pause=$((PC_V4_BACK_MS - PC_T0))
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

pc_v4_checker_end

# a lets go through nfs2: c is granted.
pc_v4_release
it_grant_check
echo "pcmk_move_v4: ip-nfs1 on nfs2 $PC_MOVED_MS ms after crm resource move;" \
	"a's and b's opens and locks back through nfs2 $pause ms after it (client-visible" \
	"pause), $((pause - PC_MOVED_MS)) ms after the address was up there"
