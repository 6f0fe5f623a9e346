#!/usr/bin/env bash
# it.smb_share: SMB share modes, NFSv4 share reservations and NLM_SHARE
# are records of one lock store. smbd (Debian's, "vfs objects = ulm") and
# Ganesha (UNIFIED) serve one directory on nodes 1 and 2 (one LMDB
# store): an SMB open that leaves out FILE_SHARE_WRITE refuses an NFSv4
# OPEN for write and an NLM_SHARE for write, through either node; an
# NFSv4 OPEN or an NLM_SHARE with deny write refuses an SMB open for
# write (STATUS_SHARING_VIOLATION), and so does an SMB open on the other
# node's smbd, which Samba alone (a share-mode database per node) would
# allow; a close on either side lets the other in. An SMB open without
# FILE_SHARE_DELETE refuses an NFSv4 REMOVE and RENAME of its file through
# either node (NFS4ERR_FILE_OPEN; NFSv3 REMOVE: NFS3ERR_ACCES) and an SMB open for DELETE on the other
# node, never an NFS open; one with it lets them pass; an NFS deny never
# refuses an SMB open for DELETE (NFS has no delete deny). With SB_SMB_STOCK=1
# (stock smbd, no module) it must fail.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/smb_lib.sh
. "$IT_SRC/smb_lib.sh"
it_setup smb_share
it_need ULM_IT_INSPECT "ulmctl"

it_unified_node n1 3,4 1
it_unified_node n2 3,4 2
it_smb_node n1
it_smb_node n2
it_smb_client_start s n1
it_smb_client_start t n2 # SMB through node 2
it_client_start a n1 # NFSv4 through node 1
it_client_start b n2 # NFSv4 through node 2
it_client_start c n2 # NLM through node 2

it_note "SMB without FILE_SHARE_WRITE -> NFSv4 OPEN for write refused"
it_expect s "open f both read" OK
it_expect a "v4 open f write" "ERR NFS4ERR_SHARE_DENIED"
it_smb_log_has "vfs_ulm opened the store" "opened lock store $IT_STORE"
it_expect_store "the SMB open is a record" \
	'type=share .*access=rw deny=wd proto=smb kind=open node=[0-9]{8,} epoch=[0-9]+ client=ipv4:127\.0\.0\.1:' 1
it_expect a "v4 open f both" "ERR NFS4ERR_SHARE_DENIED"
it_expect a "v4 open f read" OK
it_expect a "v4 close" OK
it_expect b "v4 open f write" "ERR NFS4ERR_SHARE_DENIED"
it_expect c "nlm share write f" "ERR NLM4_DENIED"
it_expect c "nlm share read f" OK
it_expect c "nlm unshare read f" OK
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
it_expect s "close" OK

it_note "NLM_SHARE deny write on node 2 -> SMB open for write refused"
it_expect c "nlm share read deny write f" OK
it_expect s "open f write both" "DENIED STATUS_SHARING_VIOLATION"
it_smb_log_has "the module logged the refusal" \
	'f: refused by a share record of node 2'
it_expect s "open f read both" OK
it_expect s "close" OK
it_expect c "nlm unshare read deny write f" OK
it_expect s "open f write both" OK

it_note "an SMB writer refuses an NFSv4 deny-write open (access vs deny)"
it_expect a "v4 open f read deny write" "ERR NFS4ERR_SHARE_DENIED"
it_expect s "close" OK
it_expect a "v4 open f read deny write" OK
it_expect a "v4 close" OK

it_note "SMB against SMB across nodes: only the lock store sees both"
it_expect s "open f read none" OK
it_expect t "open f read both" "DENIED STATUS_SHARING_VIOLATION"
it_expect s "close" OK
it_expect t "open f read both" OK
it_expect t "close" OK

it_note "SMB open without FILE_SHARE_DELETE -> NFS REMOVE, RENAME refused"
it_expect s "open f both both" OK
it_expect_store "the SMB open denies delete" 'type=share .*access=rw deny=d proto=smb ' 1
it_expect a "v4 remove f" "ERR NFS4ERR_FILE_OPEN"
it_expect b "v4 rename f g" "ERR NFS4ERR_FILE_OPEN"
it_expect c "v3 remove f" "ERR EACCES" # NFS3ERR_ACCES: rm fails
it_expect b "v4 open f both" OK
it_expect b "v4 close" OK
it_expect t "open f all all" "DENIED STATUS_SHARING_VIOLATION"
it_expect_store "the refused SMB open for DELETE left nothing" 'proto=smb ' 1
it_expect s "close" OK
it_expect s "open f both all" OK
it_expect b "v4 rename f g" OK
it_expect b "v4 rename g f" OK
it_expect s "close" OK
it_note "an NFS open denying both does not refuse an SMB open for DELETE"
it_expect a "v4 open f both deny both" OK
it_expect t "open f delete all" OK
it_expect t "close" OK
it_expect a "v4 close" OK

it_note "ulmctl shows the SMB record"
it_expect s "open f both none" OK
listing=$("$ULM_IT_ULMCTL" --store "$IT_STORE" shares 2>&1) ||
	it_fail "ulmctl shares: $listing"
it_expect_value "ulmctl shares lists the SMB open: deny rwd, client, user@share" \
	"*rw*rwd*smb*ipv4:127.0.0.1:*root@export#*" "$listing"
it_expect s "close" OK
it_expect_store "all closed" 'type=share' 0
it_pass
