#!/usr/bin/env bash
# it.dbus_break: an operator takes records away with ulmctl (lockmgr over
# DBus) from real clients of a real Ganesha, and only those records go:
#  - a broken NFSv4 lock frees the WRITEW waiter queued behind it on the
#    other node; the holder's other lock stays; the holder is not told and
#    learns of the new holder on its next LOCKT;
#  - a broken NLM lock lets Ganesha grant the NLM request blocked behind
#    it on the other node;
#  - a revoked share reservation no longer denies another node's open;
#  - a recalled delegation is returned by its holder; a revoked one that
#    is not returned is revoked by Ganesha within two leases;
#  - a record made through another node is refused, naming that node;
#  - after a crash, the records of the earlier run (orphans) are dropped.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/dbus_lib.sh
. "$IT_SRC/dbus_lib.sh"
it_setup dbus_break
it_need ULM_IT_ULMCTL "ulmctl"

it_unified_node n1 3,4 1 dbus=1 delegations=readwrite
it_unified_node n2 3,4 2
it_client_start a n1 # NFSv4 holder
it_client_start w n2 # NFSv4 waiter
it_client_start b n1 # NLM holder
it_client_start c n2 # NLM waiter
it_client_start e n1 # share holder
it_client_start g n2 # share refused
it_client_start x n2 # a lock of node 2
# delegation holders (they serve the NFSv4 callback)
for d in d k; do
	it_proc_start "$d" n1 "$ULM_IT_CLIENT" --server 127.0.0.1 \
		--export /export --name "ulmt-$d-$$" --lease-renew 1 --callback
done
A="ulmt-a-$$"

# recalled CLIENT: wait until the client got its CB_RECALL. (Asking also
# lets a client with autoreturn return it: ulm-nfs-client returns recalled
# delegations when it wakes for a command or a callback.)
recalled() {
	local deadline=$((SECONDS + 5))
	while it_send "$1" "v4 recalls" && [ "$IT_REPLY" != "RECALLS 1" ] &&
		[ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.2
	done
	it_expect_value "$1 got the CB_RECALL" "RECALLS 1" "$IT_REPLY"
}

# break KIND REGEX MESSAGE: ulmctl break KIND on the one record matching
# REGEX (in ulmctl --raw words) succeeds, saying MESSAGE.
break_one() {
	local kind=$1 regex=$2 message=$3 id
	id=$(id_of "$regex")
	[ -n "$id" ] || it_fail "no record matches /$regex/"
	ulmctl break "$kind" "$id"
	expect_literal "break $kind $id (/$regex/)" \
		"0 BreakLock $id: $message" "$RC $OUT"
}

it_note "an NFSv4 lock, with a WRITEW waiter on node 2"
it_expect a "v4 open f both" OK
it_expect a "v4 lock write 0 100" OK
it_expect a "v4 lock write 200 10" OK
it_expect w "v4 open f both" OK
it_expect w "v4 lock writew 0 100" "DENIED write 0 100"
it_expect_store "W waits" "type=wait-write start=0 end=99 .*client=ulmt-w-$$ " 1
break_one lock "type=write start=0 end=99 .*client=$A " \
	"lock released; waiters woken; its holder is not told (see docs/dbus.md)"
it_expect_store "A's broken lock is gone" "type=write start=0 end=99 .*client=$A " 0
it_expect_store "A's other lock stays" "type=write start=200 end=209 .*client=$A " 1
it_expect w "v4 lock writew 0 100" OK
it_expect_store "W holds the range" "type=write start=0 end=99 .*client=ulmt-w-$$ " 1
it_expect a "v4 lockt write 0 100" "DENIED write 0 100"
it_expect a "v4 unlock 0 100" OK
it_expect_store "A's unlock took nothing of W's" "type=write start=0 end=99 .*client=ulmt-w-$$ " 1

it_note "an NLM lock, with a blocked NLM request on node 2"
it_expect b "nlm lock read 300 10 f" OK
it_expect c "nlm lock write 300 10 f block" BLOCKED
it_expect_store "C waits" "type=wait-write start=300 end=309 proto=nlm .*node=2 " 1
ulmctl break lock "$(id_of "type=read start=300 end=309 proto=nlm ")"
it_expect_value "break the NLM lock" 0 "$RC"
it_expect_store_within 5 "Ganesha of node 2 granted C's request" \
	"type=write start=300 end=309 proto=nlm kind=lock node=2 " 1
it_expect_store "no waiter left" "type=wait" 0

it_note "a share reservation"
it_expect e "v4 open s both deny write" OK
it_expect g "v4 open s write" "ERR NFS4ERR_SHARE_DENIED"
ulmctl break share "$(id_of "type=share .*deny=w .*client=ulmt-e-$$ ")"
it_expect_value "revoke E's share" "0 RevokeShare" "$RC ${OUT%% *}"
it_expect g "v4 open s write" OK
it_expect e "v4 lock write 0 1" OK

it_note "a record of node 2 is node 2's to break"
it_expect x "v4 open t both" OK
it_expect x "v4 lock write 0 1" OK
id=$(id_of "type=write start=0 end=0 .*client=ulmt-x-$$ ")
ulmctl_expect "refused on node 1" 1 \
	"ulmctl: BreakLock $id: record $id was made through node 2 (epoch 1); this Ganesha is node 1: call BreakLock on node 2's Ganesha" \
	break lock "$id"
it_expect_store "X's lock stays" "type=write start=0 end=0 .*client=ulmt-x-$$ " 1

it_note "delegations: recall (returned), revoke (not returned)"
echo data >"$IT_EXPORT/h"
echo data >"$IT_EXPORT/j"
for d in d:h k:j; do
	it_expect "${d%:*}" "v4 open ${d#*:} read" OK
	it_expect "${d%:*}" "v4 close" OK
	it_expect "${d%:*}" "v4 open ${d#*:} read" "OK deleg=read"
done
it_expect d "v4 autoreturn on" OK
ulmctl recall "$(id_of "type=deleg-read .*client=ulmt-d-$$ ")"
it_expect_value "recall D's delegation" "0 RecallDelegation" "$RC ${OUT%% *}"
recalled d
it_expect_store_within 5 "D returned it" "type=deleg.*client=ulmt-d-$$ " 0
ulmctl break delegation "$(id_of "type=deleg-read .*client=ulmt-k-$$ ")"
expect_literal "revoke K's delegation" \
	"0 recalled; Ganesha revokes it unless it is returned within two leases" \
	"$RC ${OUT#*: }"
recalled k
it_expect_store_within 12 "Ganesha revoked K's" "type=deleg.*client=ulmt-k-$$ " 0
it_expect k "v4 delegreturn" "ERR NFS4ERR_BAD_STATEID"

it_note "statistics"
ulmctl stats --raw
it_expect_value "admin actions: 2 breaks, a revoked share, a recall, a revoke" \
	"counter=admin_actions value=5" "$(grep admin_actions <<<"$OUT")"
it_expect_value "recalls made here" "counter=recalls value=2" "$(grep recalls <<<"$OUT")"

it_note "after a crash, orphans of the earlier run are dropped"
sb_stop n1 ganesha KILL || it_fail "killing node 1's Ganesha"
# Back in a grace period: A's records wait there for reclaims until it
# ends (graceless, UNIFIED would purge them at once, racing the break).
it_unified_conf n1 3,4 1 dbus=1 delegations=readwrite grace=60
sb_ganesha_start n1 || it_fail "node 1: ganesha.nfsd did not start"
ulmctl break lock "$(id_of "type=write start=200 end=209 .*epoch=1 client=$A ")"
it_expect_value "break A's orphan lock" \
	"0 BreakLock lock record dropped (no client of this Ganesha held it); waiters woken" \
	"$RC ${OUT%% *} ${OUT#*: }"
it_expect_store "A's orphan is gone" "start=200 .*client=$A " 0
it_expect_store "node 2's locks stay" "kind=lock node=2 .*client=ulmt-(w|x)-$$ " 2
