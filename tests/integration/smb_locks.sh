#!/usr/bin/env bash
# it.smb_locks: SMB byte-range locks and NFS ones meet in one lock store.
# Two nodes share one LMDB store, each with Ganesha (UNIFIED) and smbd
# ("vfs objects = ulm") over one directory. An SMB exclusive lock denies
# a conflicting NFSv4 LOCK/LOCKT and NLM LOCK/TEST through either node,
# each refusal decided by that node's lock store, with the SMB range as
# the holder; a shared one denies writers only. An NFS lock denies the
# conflicting SMB lock on either node (STATUS_LOCK_NOT_GRANTED, as
# Windows answers a lock another handle holds), and so does an SMB lock
# of the other node's smbd, which Samba alone (a lock database per node)
# would grant. Unlocking on either side lets the other in. ulmctl shows
# the SMB locks: PROTO smb, the client's address, user@share#handle;
# "ulmctl break lock" of one, through the other node's Ganesha, makes
# its smbd close the handle holding it.
# With SB_SMB_STOCK=1 (stock smbd, no module) it must fail.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/smb_lib.sh
. "$IT_SRC/smb_lib.sh"
it_setup smb_locks
it_need ULM_IT_INSPECT "ulmctl"

it_unified_node n1 3,4 1 dbus=1
it_unified_node n2 3,4 2 dbus=1
it_smb_node n1
it_smb_node n2
it_smb_client_start s1 n1 # SMB through node 1
it_smb_client_start s2 n2 # SMB through node 2
it_client_start a n1      # NFSv4 through node 1
it_client_start b n2      # NFSv4 through node 2
it_client_start c n2      # NLM through node 2
it_client_start d n1      # NLM through node 1

it_expect a "v4 open f both" OK
it_expect b "v4 open f both" OK
it_expect s1 "open f both both" OK
it_expect s2 "open f both both" OK

it_note "an SMB exclusive lock denies NFS locks through both nodes"
it_expect s1 "lock 0 100 excl" OK
it_expect_store_refusal n1 a "v4 lockt read 50 1" "DENIED write 0 100"
it_expect_store_refusal n1 a "v4 lock write 99 1" "DENIED write 0 100"
it_expect_store_refusal n1 d "nlm test read 0 1 f" "DENIED write 0 100 *"
it_expect_store_refusal n2 b "v4 lock read 0 1" "DENIED write 0 100"
it_expect_store_refusal n2 c "nlm test write 10 10 f" "DENIED write 0 100 *"
it_expect_store_refusal n2 c "nlm lock read 10 10 f" "DENIED write 0 100 *"
it_expect_store "the SMB lock" \
	'type=write start=0 end=99 proto=smb kind=lock node=[0-9]{8,} .*owner=root@export#[0-9]+' 1
it_expect b "v4 lock write 100 10" OK
it_expect b "v4 unlock 100 10" OK

it_note "an SMB shared lock denies NFS writers only"
it_expect s2 "lock 200 100 shared" OK
it_expect_store_refusal n1 a "v4 lock write 250 1" "DENIED read 200 100"
it_expect_store_refusal n1 d "nlm lock write 299 1 f" "DENIED read 200 100 *"
it_expect a "v4 lock read 250 10" OK
it_expect c "nlm lock read 200 1 f" OK

it_note "NFS locks deny SMB locks on both nodes"
it_expect s1 "lock 200 1 shared" OK
it_expect s1 "unlock 200 1" OK
it_expect a "v4 lock write 400 10" OK
it_expect s1 "lock 405 1 shared" "DENIED STATUS_LOCK_NOT_GRANTED"
it_smb_log_has "node 1's smbd: refused by the NFSv4 client's lock" \
	'f: refused by a lock of ulmt-a-'
it_expect s2 "lock 400 10 excl" "DENIED STATUS_LOCK_NOT_GRANTED"
it_expect_store "refused SMB locks left nothing" 'start=40[05] .*proto=smb' 0

it_note "SMB against SMB across nodes: only the lock store sees both"
it_expect s2 "lock 50 1 shared" "DENIED STATUS_LOCK_NOT_GRANTED"
it_expect s2 "lock 500 10 excl" OK
it_expect s1 "lock 505 1 shared" "DENIED STATUS_LOCK_NOT_GRANTED"

it_note "ulmctl shows the SMB locks"
listing=$("$ULM_IT_ULMCTL" --store "$IT_STORE" locks 2>&1) ||
	it_fail "ulmctl locks: $listing"
it_expect_value "ulmctl locks: node 1's SMB lock, its client, user@share" \
	"*write*0*99*smb*ipv4:127.0.0.1:*root@export#*" "$listing"
it_expect_value "ulmctl locks: 3 SMB locks" 3 "$(grep -c ' smb ' <<<"$listing")"

it_note "ulmctl break lock through Ganesha closes the smbd's handle"
id=$(awk '$2 == "write" && $3 == 0 && $5 == "smb" {print $1}' <<<"$listing")
out=$(sb_exec n2 "$ULM_IT_ULMCTL" break lock "$id" 2>&1) ||
	it_fail "ulmctl break lock $id (node 1's smbd's lock): $out"
it_expect_value "ulmctl break lock sends the break to the smbd node" \
	"*break sent to the smbd node*" "$out"
it_expect_store_within 5 "node 1's smbd closed the handle: its lock went" \
	'type=write start=0 end=99 .*proto=smb' 0
it_smb_log_has "smbd says why it closed the handle" \
	'f: closed: an administrator broke its lock \[0, 99\]'
it_expect s1 "unlock 0 100" "ERR STATUS_FILE_CLOSED"
it_expect s1 "close" "ERR STATUS_FILE_CLOSED"
it_expect s1 "open f both both" OK

it_note "ulmctl break share of an SMB share mode closes its handle too"
it_smb_client_start s3 n2
it_expect s3 "open g read none" OK
it_expect a "v4 open g read" "ERR NFS4ERR_SHARE_DENIED"
share='type=share .*deny=rw.*proto=smb'
it_expect_store "node 2's SMB open of g denies all" "$share" 1
id=$(it_store_list | grep -E -- "$share" | sed -E 's/.* id=([0-9a-f]+).*/\1/')
out=$(sb_exec n1 "$ULM_IT_ULMCTL" break share "$id" 2>&1) ||
	it_fail "ulmctl break share $id (node 2's smbd's share mode): $out"
it_expect_value "ulmctl break share sends the break to the smbd node" \
	"*break sent to the smbd node*" "$out"
it_expect_store_within 5 "node 2's smbd closed the handle: its share mode went" \
	"$share" 0
it_expect s3 "read 0 1" "ERR STATUS_FILE_CLOSED"
it_expect a "v4 open g read" OK
it_expect a "v4 close" OK
it_expect a "v4 file f" OK

it_note "unlock on either side lets the other in"
it_expect s1 "unlock 0 100" "ERR STATUS_RANGE_NOT_LOCKED"
it_expect b "v4 lock write 50 10" OK
it_expect a "v4 unlock 400 10" OK
it_expect s2 "lock 400 10 excl" OK
it_expect a "v4 unlock 250 10" OK
it_expect c "nlm unlock 200 1 f" OK
it_expect s2 "unlock 200 100" OK
it_expect d "nlm lock write 299 1 f" OK

it_note "a waiting SMB lock is granted once the NFS lock goes"
it_expect a "v4 lock write 700 10" OK
it_smb_send s1 "lockw 705 1 excl"
it_expect b "v4 lockt write 705 1" "DENIED write 700 10"
it_expect_store "the waiting SMB lock holds nothing yet" 'start=705 .*proto=smb' 0
it_expect a "v4 unlock 700 10" OK
it_smb_expect_reply 5 s1 OK
it_expect b "v4 lockt read 705 1" "DENIED write 705 1"
it_expect s1 "close" OK
it_expect s2 "close" OK
it_expect_store "closing the handles released their locks" 'proto=smb' 0
it_expect a "v4 lock write 500 10" OK
it_pass
