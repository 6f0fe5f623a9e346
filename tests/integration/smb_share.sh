#!/usr/bin/env bash
# it.smb_share: SMB share modes and NFSv4 share reservations are records
# of one lock store. smbd (Debian's, "vfs objects = ulm") and Ganesha
# (UNIFIED) serve one directory on one node: an SMB open that leaves out
# FILE_SHARE_WRITE refuses an NFSv4 OPEN for write, an NFSv4 OPEN with
# DENY_WRITE refuses an SMB open for write, and a close on either side
# lets the other in.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/it_smb.sh
. "$IT_SRC/it_smb.sh"
it_setup smb_share
it_need ULM_IT_INSPECT "ulmctl"

it_unified_node n1 4
it_smb_node n1
it_smb_client_start s n1
it_client_start a n1

it_note "smbd loaded the module and opened the node's lock store"
it_expect s "open f both both" OK
it_smb_log_has "vfs_ulm opened the store" "opened lock store $IT_STORE"
it_expect s "close" OK

it_note "SMB without FILE_SHARE_WRITE -> NFSv4 OPEN for write refused"
it_expect s "open f both read" OK
it_expect_store "the SMB open is a record" \
	'type=share .*access=rw deny=w proto=smb kind=open node=[0-9]{8,} epoch=[0-9]+ client=ipv4:127\.0\.0\.1:' 1
it_expect a "v4 open f write" "ERR NFS4ERR_SHARE_DENIED"
it_expect a "v4 open f both" "ERR NFS4ERR_SHARE_DENIED"
it_expect a "v4 open f read" OK
it_expect a "v4 close" OK
it_expect s "close" OK
it_expect_store "the SMB close dropped it" 'proto=smb' 0
it_expect a "v4 open f write" OK
it_expect a "v4 close" OK

it_note "NFSv4 OPEN deny write -> SMB open for write refused"
it_expect a "v4 open f read deny write" OK
it_expect s "open f write both" "DENIED STATUS_SHARING_VIOLATION"
it_expect s "open f both both" "DENIED STATUS_SHARING_VIOLATION"
it_expect_store "refused SMB opens left no record" 'proto=smb' 0
it_expect s "open f read both" OK
it_expect s "close" OK
it_expect a "v4 close" OK
it_expect s "open f write both" OK

it_note "an SMB writer refuses an NFSv4 deny-write open (access vs deny)"
it_expect a "v4 open f read deny write" "ERR NFS4ERR_SHARE_DENIED"
it_expect s "close" OK
it_expect a "v4 open f read deny write" OK
it_expect a "v4 close" OK

it_note "ulmctl shows the SMB record"
it_expect s "open f both none" OK
listing=$("$ULM_IT_ULMCTL" --store "$IT_STORE" shares 2>&1) ||
	it_fail "ulmctl shares: $listing"
it_expect_value "ulmctl shares lists the SMB open, deny rw, its client" \
	"*rw*rw*smb*ipv4:127.0.0.1:*" "$listing"
it_expect s "close" OK
it_expect_store "all closed" 'type=share' 0
