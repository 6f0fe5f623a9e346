#!/usr/bin/env bash
# it.grace_conflicts: one node on LMDB restarts (kill -9) with a client's
# NFSv4 and NLM locks in the store. During its grace: what conflicts with
# an unreclaimed lock is refused "grace" (NFS4ERR_GRACE, NLM4_DENIED_GRACE
# _PERIOD), what conflicts with nothing is granted at once, reclaims adopt
# their records, a reclaim of nothing is refused, and recovery ends as
# soon as everything is reclaimed. What Ganesha 4.3 itself still refuses
# for its whole grace period is asserted too: LOCKT and NLM TEST. Node 1's
# /metrics counts each refusal and reclaim by its result.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup grace_conflicts
it_need ULM_IT_INSPECT "ulm-store-inspect"

GRACE=12
it_unified_node n1 3,4 1 grace=$GRACE metrics_port=9464
it_client_start a n1
it_client_start b n1
it_expect a "v4 open f both" OK
it_expect a "v4 lock write 0 100" OK
it_expect a "nlm lock write 0 100 g" OK
it_expect b "v4 open f both" OK

sb_stop n1 ganesha KILL || it_fail "kill -9 n1"
sb_ganesha_start n1 || it_fail "n1 did not restart"
it_expect_log n1 "Ganesha's grace began" "NFS Server Now IN GRACE"

it_note "in grace: only conflicts wait"
it_expect b "v4 renew" OK
it_expect b "v4 open f both" OK
it_expect b "v4 lock write 50 1" "ERR NFS4ERR_GRACE"
it_expect b "nlm lock write 50 1 g" "ERR NLM4_DENIED_GRACE_PERIOD"
it_expect b "v4 lock write 200 10" OK
it_expect b "nlm lock write 200 10 g" OK
it_expect b "v4 open h both" OK
it_expect b "v4 lock write 0 0" OK
it_note "Ganesha 4.3 refuses these for its whole grace period"
it_expect b "v4 lockt write 500 1" "ERR NFS4ERR_GRACE"
it_expect b "nlm test write 500 1 g" "ERR NLM4_DENIED_GRACE_PERIOD"

it_note "reclaims adopt the records; a reclaim of nothing is refused"
it_expect a "v4 file f" OK
it_expect a "v4 lock write 0 100 reclaim" OK
it_expect a "v4 lock write 300 10 reclaim" "DENIED write 300 10"
it_expect a "nlm lock write 0 100 g reclaim" OK
it_expect a "nlm lock write 300 10 g reclaim" "ERR NLM4_DENIED_GRACE_PERIOD"
it_expect_store "reclaimed records are epoch 2's" \
	'type=write start=0 end=99 .*node=1 epoch=2 reclaim=yes client=ulmt-a' 2
metrics=$(sb_exec n1 curl -sS http://127.0.0.1:9464/metrics) ||
	it_fail "n1: GET /metrics"
# Node 1's /metrics since its restart, every request counted once: B's
# grace refusals (NFSv4 and NLM), grants and opens; A's reclaims, adopted
# (its open, two locks) or refused (a refused NLM reclaim says grace).
it_expect_value "n1's /metrics: requests and reclaims by result" "$(printf '%s\n' \
	'ulm_operations_total{op="lock",protocol="nlm",result="ok"} 2' \
	'ulm_operations_total{op="lock",protocol="nlm",result="grace"} 2' \
	'ulm_operations_total{op="lock",protocol="nfs4",result="ok"} 3' \
	'ulm_operations_total{op="lock",protocol="nfs4",result="conflict"} 1' \
	'ulm_operations_total{op="lock",protocol="nfs4",result="grace"} 1' \
	'ulm_operations_total{op="share",protocol="nfs4",result="ok"} 3' \
	'ulm_reclaims_total{op="lock",result="ok"} 2' \
	'ulm_reclaims_total{op="lock",result="conflict"} 1' \
	'ulm_reclaims_total{op="lock",result="grace"} 1' \
	'ulm_reclaims_total{op="share",result="ok"} 1')" \
	"$(grep -E '^ulm_(operations|reclaims)_total' <<<"$metrics" | grep -v ' 0$')"
sb_wait_until 5 eval "sb_ganesha_log_since_start n1 | grep -q 'grace over for node 1'" || true
it_expect_log n1 "recovery ended early" \
	'grace over for node 1 \(everything reclaimed\): purged 0'
it_expect b "v4 file f" OK
it_expect b "v4 lock write 50 1" "DENIED write 0 100"
# (NLM TEST, which would name the holder, still meets Ganesha's grace.)
it_expect b "nlm lock write 50 1 g" "ERR NLM4_DENIED"
# Ganesha's own grace still runs its course.
it_expect b "v4 lockt write 500 1" "ERR NFS4ERR_GRACE"
sb_ganesha_wait_grace n1 $((GRACE + 10)) || it_fail "Ganesha's grace never ended"
it_expect b "v4 lockt write 500 1" OK
