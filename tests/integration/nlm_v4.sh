#!/usr/bin/env bash
# it.nlm_v4: NLM (NFSv3) and NFSv4 locks on one file of a UNIFIED node deny
# each other in both directions, each reporting the other's range.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup nlm_v4
it_need ULM_IT_INSPECT "ulm-store-inspect"

it_unified_node n1 3,4
it_client_start a n1 # NFSv4
it_client_start b n1 # NLM

it_expect a "v4 open f both" OK
it_expect a "v4 lock write 0 100" OK
it_expect b "nlm test write 0 10 f" "DENIED write 0 100 *"
it_expect b "nlm lock write 50 10 f" "DENIED write 0 100 *"
it_expect b "nlm lock read 99 1 f" "DENIED write 0 100 *"
it_expect b "nlm lock write 100 100 f" OK
it_expect_store "the NFSv4 lock is persisted" \
	'type=write start=0 end=99 proto=nfs4 ' 1
it_expect_store "the NLM lock is persisted" \
	'type=write start=100 end=199 proto=nlm ' 1

it_expect a "v4 lockt read 150 1" "DENIED write 100 100"
it_expect a "v4 lock write 150 10" "DENIED write 100 100"

it_expect a "v4 unlock 0 100" OK
it_expect b "nlm lock read 0 100 f" OK
it_expect a "v4 lockt write 0 1" "DENIED read 0 100"
it_expect a "v4 lock read 0 1" OK
it_expect b "nlm unlock 0 0 f" OK
it_expect_store "NLM unlock to EOF freed both NLM ranges" 'proto=nlm' 0

it_expect a "v4 lock write 0 0" OK
it_expect b "nlm test read 500 1 f" "DENIED write 0 0 *"
it_expect b "nlm lock read 500 1 f" "DENIED write 0 0 *"
it_expect a "v4 unlock 0 0" OK
it_expect b "nlm lock read 500 1 f" OK
it_expect b "nlm unlock 0 0 f" OK
it_expect_store "no lock left" 'kind=lock' 0
