#!/usr/bin/env bash
# it.deleg_recall: delegations are libulm records, and conflicting access
# by another client recalls them on the node that granted them. Client A
# (node 1) holds a delegation; an OPEN, a truncate, a WRITE (a READ of a
# write delegation) without open, a RENAME, a REMOVE or an NLM LOCK by
# client B through node 2
# (or C through node 1) is refused (NFS4ERR_DELAY / denied) until A, having
# received the CB_RECALL on its callback channel, returns the delegation;
# then it succeeds. Across nodes the recall travels from node 2's libulm
# request to node 1's event thread and Ganesha's delegrecall up-call.
# Node 1's /metrics counts every grant and return, and times each recall
# to its return.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup deleg_recall
it_need ULM_IT_INSPECT "ulm-store-inspect"

# libulm's records, unwatched: over VFS a write delegation, or a read one
# beside the other node's fds (one host: both nodes open the same files),
# needs Delegations_Unwatched (it.deleg_outside tests the watch).
it_deleg_nodes 3,4 deleg_unwatched=true metrics_port=9464
it_client_start a n1 /export --callback # the holder
it_client_start b n2                    # conflicts through node 2
it_client_start c n1                    # conflicts through node 1

# A first OPEN of an open-owner is never delegated (NFSv4.0: the owner is
# not confirmed yet, Ganesha's should_we_grant_deleg).
it_expect a "v4 open confirm-owner read" OK
RECALLS=0

# expect_recall: A's callback service received one more CB_RECALL.
expect_recall() {
	RECALLS=$((RECALLS + 1))
	it_expect_within 5 a "v4 recalls" "RECALLS $RECALLS"
}

# recall_case FILE ACCESS WHO COMMAND REFUSED: A opens FILE for ACCESS
# and is delegated; WHO's COMMAND is REFUSED while A holds the
# delegation, A is recalled, and COMMAND succeeds once A returned it.
# Each case uses its own file: Ganesha delegates no file recalled in the
# last 10 s (RECALL2DELEG_TIME).
recall_case() {
	local file=$1 access=$2 who=$3 cmd=$4 refused=$5 type=read
	[ "$access" = read ] || type="write"
	it_note "$who: $cmd against A's $type delegation"
	it_expect a "v4 open $file $access" "OK deleg=$type"
	it_expect_store "A's delegation is a record of node 1" \
		"type=deleg-$type start=0 end=eof proto=nfs4 kind=client node=1 .*client=ulmt-a-" 1
	it_expect "$who" "$cmd" "$refused"
	expect_recall
	it_expect "$who" "$cmd" "$refused"
	it_expect_store "the delegation holds until returned" 'type=deleg' 1
	it_expect a "v4 delegreturn" OK
	it_expect_store "DELEGRETURN dropped the record" 'type=deleg' 0
	it_expect "$who" "$cmd" OK
	it_expect a "v4 close" OK
}

it_note "across nodes"
recall_case f1 read b "v4 open f1 write" "ERR NFS4ERR_DELAY"
it_expect b "v4 close" OK
recall_case f2 both b "v4 open f2 read" "ERR NFS4ERR_DELAY"
it_expect b "v4 close" OK
recall_case f3 read b "v4 truncate f3 0" "ERR NFS4ERR_DELAY"
recall_case f9 read b "v4 write f9 0 10" "ERR NFS4ERR_DELAY"
recall_case f10 both b "v4 read f10 0 10" "ERR NFS4ERR_DELAY"
recall_case f4 read b "v4 rename f4 f4-renamed" "ERR NFS4ERR_DELAY"
recall_case f5 read b "v4 remove f5" "ERR NFS4ERR_DELAY"
it_expect_value "f5 is removed" "no" "$([ -e "$IT_EXPORT/f5" ] && echo yes || echo no)"
recall_case f6 read b "nlm lock write 0 1 f6" "DENIED read 0 0 *"
it_expect b "nlm unlock 0 1 f6" OK
# B's read open does not break a read delegation; its write lock does.
it_expect a "v4 open f7 read" "OK deleg=read"
it_expect b "v4 open f7 read" OK
it_expect_store "B's read open left the delegation alone" 'type=deleg' 1
it_expect a "v4 delegreturn" OK
it_expect a "v4 close" OK
it_expect b "v4 close" OK

it_note "on one node"
recall_case f11 read c "v4 open f11 write" "ERR NFS4ERR_DELAY"
it_expect c "v4 close" OK
recall_case f12 both c "v4 open f12 read" "ERR NFS4ERR_DELAY"
it_expect c "v4 close" OK
recall_case f13 read c "v4 truncate f13 0" "ERR NFS4ERR_DELAY"
recall_case f19 read c "v4 write f19 0 10" "ERR NFS4ERR_DELAY"
recall_case f20 both c "v4 read f20 0 10" "ERR NFS4ERR_DELAY"
recall_case f14 read c "v4 rename f14 f14-renamed" "ERR NFS4ERR_DELAY"
recall_case f15 read c "v4 remove f15" "ERR NFS4ERR_DELAY"
it_expect_store "no delegation left" 'type=deleg' 0

it_note "what node 1's metrics counted (GET /metrics)"
metrics=$(sb_exec n1 curl -sS http://127.0.0.1:9464/metrics) ||
	it_fail "node 1: GET /metrics"
it_expect_value "16 delegations granted (15 cases and f7), 16 returned, none revoked" \
	"granted 16|returned 16|revoked 0" \
	"$(sed -n 's/^ulm_delegations_total{event="\(granted\|returned\|revoked\)"} /\1 /p' <<<"$metrics" | paste -sd'|')"
it_expect_value "the 15 recalled ones timed to their return, each within 5 s" "15 15" \
	"$(awk '/^ulm_delegation_recall_return_seconds_count / { n = $2 }
		/^ulm_delegation_recall_return_seconds_bucket\{le="5"\}/ { b = $2 }
		END { print n, b }' <<<"$metrics")"
