#!/usr/bin/env bash
# it.share_deny: NFSv4 OPEN share reservations are libulm records, so a
# deny holds across nodes (stock FSAL VFS checks denies per process only).
# Node 1's OPEN with DENY_WRITE refuses a write open through node 2 with
# NFS4ERR_SHARE_DENIED; OPEN_DOWNGRADE and CLOSE release exactly what
# they should, and the sub-FSAL's descriptors keep serving I/O.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup share_deny
it_need ULM_IT_INSPECT "ulm-store-inspect"

it_unified_node n1 4 1
it_unified_node n2 4 2
it_client_start a n1
it_client_start b n2
it_client_start c n1

it_note "a deny on node 1 holds on node 2"
it_expect a "v4 open f both deny write" OK
it_expect_store "A's reservation is a record" \
	'type=share start=0 end=eof access=rw deny=w proto=nfs4 kind=open node=1 ' 1
it_expect b "v4 open f write" "ERR NFS4ERR_SHARE_DENIED"
it_expect b "v4 open f both" "ERR NFS4ERR_SHARE_DENIED"
it_expect_store "the refused opens left no record" 'type=share' 1
it_expect b "v4 open f read" OK
it_expect_store "B's read open is recorded on node 2" \
	'type=share .*access=r deny=none proto=nfs4 kind=open node=2 ' 1
it_expect b "v4 close" OK

it_note "the same rule on one node (client C beside A)"
it_expect c "v4 open f write" "ERR NFS4ERR_SHARE_DENIED"

it_note "A's write access refuses B's deny-write; once A closed, B's deny holds"
it_expect b "v4 open f read deny write" "ERR NFS4ERR_SHARE_DENIED"
it_expect a "v4 close" OK
it_expect b "v4 open f read deny write" OK
it_expect a "v4 open f write" "ERR NFS4ERR_SHARE_DENIED"
it_expect a "v4 open f read" OK
it_expect a "v4 close" OK
it_expect b "v4 close" OK
it_expect_store "CLOSE dropped every reservation" 'type=share' 0

it_note "a deny-none writer makes a deny-write open fail (access vs deny)"
it_expect a "v4 open f write" OK
it_expect b "v4 open f read deny write" "ERR NFS4ERR_SHARE_DENIED"
it_expect a "v4 close" OK
it_expect b "v4 open f read deny write" OK
it_expect b "v4 close" OK
it_expect_store "all closed" 'type=share' 0

it_note "OPEN_DOWNGRADE gives up the deny and the write access in place"
it_expect a "v4 open d read" OK
it_expect a "v4 open d both deny write" OK
it_expect_store "the upgraded open is one record" \
	'type=share .*access=rw deny=w proto=nfs4 kind=open node=1 ' 1
it_expect b "v4 open d write" "ERR NFS4ERR_SHARE_DENIED"
it_expect a "v4 downgrade read" OK
it_expect_store "downgraded in place" \
	'type=share .*access=r deny=none proto=nfs4 kind=open node=1 ' 1
it_expect b "v4 open d write" OK
it_expect c "v4 open d read deny write" "ERR NFS4ERR_SHARE_DENIED"
it_expect b "v4 close" OK
it_expect a "v4 close" OK
it_expect_store "all closed" 'type=share' 0
it_pass
