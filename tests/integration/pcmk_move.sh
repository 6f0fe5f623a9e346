#!/usr/bin/env bash
# it.pcmk_move: a planned move under Pacemaker. Two NLM clients hold locks
# through nfs1's service address; `crm resource move ip-nfs1 nfs2`. nfs1's
# stop of the address makes its Ganesha forget their NLM state without
# releasing their records (ulm-takeover --left), nfs2's start finds the
# address released (no takeover, no grace anywhere) and sends SM_NOTIFY;
# the clients reclaim through nfs2, outside any grace period, and go on.
# Throughout: a prober of the address tests a held lock (always DENIED,
# never a grace refusal; its longest pause is printed), a checker on nfs3
# tries locks inside held ones (none granted), and afterwards nfs1 has
# released nothing of theirs (the store still holds every lock, now
# nfs2's) and holds nothing of theirs in memory (a client of nfs1 gets
# their ranges once they unlocked through nfs2).
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup pcmk_move
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_TAKEOVER "ulm-takeover"
# shellcheck source=tests/integration/pcmk_lib.sh
. "$IT_SRC/pcmk_lib.sh"
A=$(pc_ip 1)
pc_nlm_holders
fo_client e h105 10.77.1.2

pc_probes_start

pc_move_nfs1_to_nfs2

# What each node's agent did (Pacemaker's logs).
pc_moved_without_takeover
it_expect_value "ulmctl grace: node 1" "kind=node name=1 grace=no ganesha=@(E|none)" \
	"$(fo_grace node 1 grace,ganesha)"

# The clients reclaim through nfs2 once notified: every reclaim granted,
# none refused for grace; the records are nfs2's, nothing was released.
pc_nlm_reclaim "$A" a b
it_expect_store "$HELD locks held, all nfs2's" \
	'type=write .*node=2 .*client=ulmt-[ab]-' "$HELD"

# Their next LOCK, TEST and UNLOCK through nfs2, each answered at once.
slowest=0
for cmd in "nlm lock write 5000 5 mv-a-1" "nlm test write 0 5 mv-a-1" \
	"nlm unlock 5000 5 mv-a-1"; do
	it_now_ms
	sent=$IT_NOW_MS
	it_expect a "$cmd" OK
	it_now_ms
	[ $((IT_NOW_MS - sent)) -le "$slowest" ] || slowest=$((IT_NOW_MS - sent))
done
[ "$slowest" -lt 1000 ] || it_fail "an NLM call through nfs2 took $slowest ms"
it_pass "a's LOCK, TEST, UNLOCK through nfs2: slowest answer $slowest ms"

# nfs1 is done with them (the old node forgot them at the stop): still
# nothing of theirs released.
sleep 2
it_expect_store "after nfs1 forgot them: $HELD locks, nfs2's" \
	'type=write .*node=2 .*client=ulmt-[ab]-' "$HELD"

pc_probes_end
pause=$PC_PAUSE

# Once a and b unlocked through nfs2, a client of nfs1 gets their ranges:
# nfs1 kept nothing of theirs in memory either.
for cl in a b; do fo_send "$cl" < <(pc_nlm_locks "$cl" unlock); done
for cl in a b; do fo_expect_all "$cl" OK; done
it_expect e "nlm lock write 0 5 mv-a-1" OK
it_expect e "nlm lock write 190 5 mv-b-2" OK
it_grant_check
echo "pcmk_move: crm resource move to ip-nfs1 on nfs2 (crm_mon)," \
	"prober's longest NLM pause $pause ms, slowest NLM call after $slowest ms"
