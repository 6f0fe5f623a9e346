#!/usr/bin/env bash
# it.nlm_share: NLM_SHARE / NLM_UNSHARE (DOS share modes of NFSv3
# clients) and NFSv4 OPEN share reservations are one kind of libulm
# record, so each denies the other on either node of a shared table:
# an NLM_SHARE with deny write is refused while a writer has the file
# open (NFSv4 OPEN write, on either node), an NFSv4 OPEN is refused by an
# NLM_SHARE's deny, and NLM_UNSHARE releases exactly that owner's
# reservation. An NLM share's owner is the caller name plus the owner
# handle (the client sends "SVID@CALLER"), so two owners of one client
# hold reservations of their own.
#
# Ganesha 4.3 frees an NLM share's owner when NLM_SHARE returns (issue
# #1110), which turns NLM_UNSHARE into a no-op; UNIFIED holds the owner
# while the share exists (fsal_unified/share.c): the UNSHARE checks here
# fail without it.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup nlm_share
it_need ULM_IT_INSPECT "ulm-store-inspect"

it_unified_node n1 3,4 1
it_unified_node n2 3,4 2
it_client_start a n1 # NFSv4 through node 1
it_client_start d n2 # NFSv4 through node 2
it_client_start b n1 # NLM through node 1
it_client_start c n2 # NLM through node 2

it_note "an NFSv4 writer on either node refuses an NLM_SHARE deny write"
it_expect a "v4 open f write" OK
it_expect b "nlm share read deny write f" "ERR NLM4_DENIED"
it_expect c "nlm share read deny write f" "ERR NLM4_DENIED"
it_expect a "v4 close" OK
it_expect d "v4 open f both" OK
it_expect b "nlm share read deny write f" "ERR NLM4_DENIED"
it_expect_store "refused NLM_SHAREs left no record" 'proto=nlm' 0
it_expect b "nlm share read f" OK
it_expect d "v4 close" OK

it_note "an NLM_SHARE deny write refuses NFSv4 writers on either node"
it_expect c "nlm share read deny write f" OK
it_expect_store "C's reservation is a record of node 2" \
	'type=share .*access=r deny=w proto=nlm kind=open node=2 .*owner=1@ulmt-c-' 1
it_expect a "v4 open f write" "ERR NFS4ERR_SHARE_DENIED"
it_expect d "v4 open f both" "ERR NFS4ERR_SHARE_DENIED"
it_expect d "v4 open f read" OK
it_expect d "v4 close" OK
it_expect b "nlm svid 2" OK
it_expect b "nlm share write f" "ERR NLM4_DENIED"
it_expect b "nlm share read deny read f" "ERR NLM4_DENIED"
it_expect_store "B's first owner still holds its read share" \
	'type=share .*access=r deny=none proto=nlm kind=open node=1 .*owner=1@ulmt-b-' 1

it_note "NLM_UNSHARE releases exactly that owner's reservation"
it_expect b "nlm share read deny write f" OK
it_expect_store "three NLM reservations" 'type=share .*proto=nlm' 3
it_expect c "nlm unshare write deny none f" OK
it_expect_store "an UNSHARE of modes C does not hold changes nothing" \
	'type=share .*deny=w proto=nlm kind=open node=2 ' 1
it_expect c "nlm svid 9" OK
it_expect c "nlm unshare read deny write f" OK
it_expect_store "an UNSHARE by another owner changes nothing" \
	'type=share .*deny=w proto=nlm kind=open node=2 ' 1
it_expect c "nlm svid 1" OK
it_expect c "nlm unshare read deny write f" OK
it_expect_store "C's reservation is gone" 'type=share .*node=2 ' 0
it_expect_store "B's two owners keep theirs" \
	'type=share .*proto=nlm kind=open node=1 .*owner=[12]@ulmt-b-' 2
it_expect d "v4 open f write" "ERR NFS4ERR_SHARE_DENIED"
it_expect b "nlm unshare read deny write f" OK
it_expect d "v4 open f write" OK
it_expect d "v4 close" OK
it_expect b "nlm svid 1" OK
it_expect b "nlm unshare read f" OK
it_expect_store "every reservation released" 'type=share' 0
