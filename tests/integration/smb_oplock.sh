#!/usr/bin/env bash
# it.smb_oplock: SMB oplocks and NFSv4 delegations are records of one lock
# store and break each other. smbd (Debian's, "vfs objects = ulm",
# "kernel oplocks = yes") and Ganesha (UNIFIED) serve one directory on
# nodes 1 and 2 (one LMDB store). An SMB client's batch oplock is a write
# delegation of its smbd node: an NFS OPEN, WRITE, NLM LOCK, REMOVE,
# RENAME or truncate through node 2 or node 1 gets NFS4ERR_DELAY (NFSv3
# NFS3ERR_JUKEBOX, NLM denied) while the SMB client receives a real
# oplock break, and succeeds once it acked; a client that never acks loses the oplock at smbd's break
# timeout. The other way: an NFSv4 client's delegation makes an SMB open
# wait (STATUS_PENDING, smbd retrying) while the NFS client is sent a
# CB_RECALL; the open succeeds once the delegation is returned. An SMB
# lock, an open denying write, a rename or a delete is refused and
# recalls it; the retry after DELEGRETURN succeeds. With
# SB_SMB_STOCK=1 (stock smbd, no module) it must fail.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/smb_lib.sh
. "$IT_SRC/smb_lib.sh"
it_setup smb_oplock
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_ULMCTL "ulmctl"

# NFS delegations as libulm records only (no kernel lease: it.deleg_recall).
it_deleg_nodes 3,4 deleg_unwatched=true dbus=1
it_smb_node n1
it_smb_node n2
it_smb_client_start s n1 # the oplock holder
it_smb_client_start t n2 # SMB opens through node 2
it_client_start a n1 /export --callback # an NFSv4 delegation holder
it_client_start b n2                    # NFS through node 2
it_client_start c n1                    # NFS through node 1

# oplock_case FILE WHO COMMAND REFUSED: S holds a batch oplock on FILE
# (sharing read, write and delete: only the oplock is in the way); WHO's
# COMMAND is REFUSED, S receives the break, COMMAND stays REFUSED until S
# acks, then succeeds.
oplock_case() {
	local file=$1 who=$2 cmd=$3 refused=$4
	it_note "$who: $cmd against an SMB batch oplock"
	it_expect s "open $file both all batch" "OK oplock=batch"
	it_expect_store "the oplock is a write delegation of the smbd node" \
		'type=deleg-write start=0 end=eof proto=smb kind=client node=[0-9]{8,} .*client=ipv4:127\.0\.0\.1:' 1
	it_expect "$who" "$cmd" "$refused"
	it_expect s "break 5" "OK break to=none"
	it_expect "$who" "$cmd" "$refused"
	it_expect_store "the oplock holds until acked" 'type=deleg' 1
	it_expect s "ack" OK
	it_expect_store "the ack gave it back" 'type=deleg' 0
	it_expect "$who" "$cmd" OK
	it_expect s "close" OK
}

it_note "NFS against an SMB oplock, through node 2 and through node 1"
oplock_case f1 b "v4 open f1 write" "ERR NFS4ERR_DELAY"
it_expect b "v4 close" OK
oplock_case f2 b "v4 write f2 0 10" "ERR NFS4ERR_DELAY"
oplock_case f3 b "nlm lock write 0 1 f3" "DENIED write 0 0 *"
it_expect b "nlm unlock 0 1 f3" OK
oplock_case f4 c "v4 open f4 read" "ERR NFS4ERR_DELAY"
it_expect c "v4 close" OK
oplock_case f5 c "v4 remove f5" "ERR NFS4ERR_DELAY"
it_expect_value "f5 is removed" "no" "$([ -e "$IT_EXPORT/f5" ] && echo yes || echo no)"
oplock_case f8 c "v4 rename f8 f8-renamed" "ERR NFS4ERR_DELAY"
oplock_case f9 c "v4 truncate f9 0" "ERR NFS4ERR_DELAY"
oplock_case f10 b "v3 write f10 0 XXXX" "ERR NFS3ERR_JUKEBOX"
it_smb_log_has "smbd broke the oplock on the store's recall" \
	'f1: oplock recalled through the lock store: breaking it'

it_note "an NFS open refuses an SMB oplock (none granted, the open succeeds)"
it_expect c "v4 open f6 write" OK
it_expect s "open f6 both both batch" "OK oplock=none"
it_expect_store "no delegation for the SMB open" 'type=deleg' 0
it_expect s "close" OK
it_expect c "v4 close" OK

it_note "ulmctl break delegation of an SMB oplock closes its handle"
it_expect s "open f8 both both batch" "OK oplock=batch"
oplock='type=deleg-write .*proto=smb'
it_expect_store "the oplock is a delegation record" "$oplock" 1
id=$(it_store_list | grep -E -- "$oplock" | sed -E 's/.* id=([0-9a-f]+).*/\1/')
out=$(sb_exec n2 "$ULM_IT_ULMCTL" break delegation "$id" 2>&1) ||
	it_fail "ulmctl break delegation $id (node 1's smbd's oplock): $out"
it_expect_value "ulmctl break delegation sends the break to the smbd node" \
	"*break sent to the smbd node*" "$out"
it_expect_store_within 5 "node 1's smbd closed the handle: the oplock went" \
	"$oplock" 0
it_smb_log_has "smbd says why" 'f8: closed: an administrator broke its oplock'
it_expect s "read 0 1" "ERR STATUS_FILE_CLOSED"
it_expect s "close" "ERR STATUS_FILE_CLOSED"
it_expect b "v4 write f8 0 10" OK

it_note "an SMB client that never acks loses the oplock at smbd's timeout"
it_expect s "open f7 both both batch" "OK oplock=batch"
listing=$("$ULM_IT_ULMCTL" --store "$IT_STORE" delegations 2>&1) ||
	it_fail "ulmctl delegations: $listing"
it_expect_value "ulmctl delegations lists the oplock: deleg-write, smb, the client" \
	"*deleg-write*smb*ipv4:127.0.0.1:*" "$listing"
it_expect b "v4 write f7 0 10" "ERR NFS4ERR_DELAY"
it_expect s "break 5" "OK break to=none"
start=$SECONDS
it_expect_within 45 b "v4 write f7 0 10" OK
it_pass "the NFS write succeeded $((SECONDS - start)) s after the break"
it_expect_store "the timeout gave the delegation back" 'type=deleg' 0
it_expect s "close" OK

it_note "an SMB open waits for an NFSv4 delegation's return"
# A first OPEN of an open-owner is never delegated (NFSv4.0).
it_expect a "v4 open confirm-owner read" OK
RECALLS=0
# smb_waits_case FILE ACCESS SMBOPEN: A holds a delegation on FILE; T's
# SMBOPEN through node 2 is not answered while A is recalled, and
# succeeds once A returned the delegation.
smb_waits_case() {
	local file=$1 access=$2 open=$3 type=read
	[ "$access" = read ] || type="write"
	it_note "SMB $open against an NFSv4 $type delegation"
	it_expect a "v4 open $file $access" "OK deleg=$type"
	it_smb_send t "$open"
	RECALLS=$((RECALLS + 1))
	it_expect_within 5 a "v4 recalls" "RECALLS $RECALLS"
	it_smb_expect_reply 2 t ""
	it_expect_store "the delegation holds until returned" \
		"type=deleg-$type .*proto=nfs4" 1
	it_expect a "v4 delegreturn" OK
	it_smb_expect_reply 5 t OK
	it_expect t "close" OK
	it_expect a "v4 close" OK
}
smb_waits_case g1 read "open g1 write both"
smb_waits_case g2 both "open g2 read both"
IT_SMB_NODE=n2 it_smb_log_has "the SMB open waited for the recall" \
	'g1: open waits: recalling a delegation of ulmt-a-'

# smb_refused_case FILE SMBCMD REFUSED: A holds a read delegation on
# FILE; T's SMBCMD is REFUSED and recalls it; after DELEGRETURN it passes.
smb_refused_case() {
	local file=$1 cmd=$2 refused=$3
	it_note "SMB $cmd against an NFSv4 read delegation"
	it_expect a "v4 open $file read" "OK deleg=read"
	[ "$cmd" = "open $file read read" ] || it_expect t "open $file read both" OK
	it_expect t "$cmd" "$refused"
	RECALLS=$((RECALLS + 1))
	it_expect_within 5 a "v4 recalls" "RECALLS $RECALLS"
	it_expect a "v4 delegreturn" OK
	it_expect t "$cmd" OK
	it_expect t "close" OK
	it_expect a "v4 close" OK
}
smb_refused_case g3 "lock 0 10 excl" "DENIED STATUS_LOCK_NOT_GRANTED"
smb_refused_case g4 "open g4 read read" "DENIED STATUS_SHARING_VIOLATION"

# smb_name_case FILE SMBCMD: A holds a read delegation on FILE; T's
# rename or delete of it through node 2 is refused and recalls it; the
# retry after DELEGRETURN succeeds.
smb_name_case() {
	local file=$1 cmd=$2
	it_note "SMB $cmd against an NFSv4 read delegation"
	it_expect a "v4 open $file read" "OK deleg=read"
	it_expect t "$cmd" "DENIED STATUS_SHARING_VIOLATION"
	RECALLS=$((RECALLS + 1))
	it_expect_within 5 a "v4 recalls" "RECALLS $RECALLS"
	it_expect_value "$file is still there" yes \
		"$([ -e "$IT_EXPORT/$file" ] && echo yes || echo no)"
	it_expect a "v4 delegreturn" OK
	it_expect t "$cmd" OK
	it_expect a "v4 close" OK
}
smb_name_case g5 "rename g5 g5-renamed"
smb_name_case g6 "delete g6"
it_expect_value "g5 renamed, g6 deleted" "yes no no" \
	"$(for f in g5-renamed g5 g6; do [ -e "$IT_EXPORT/$f" ] && echo yes || echo no; done | paste -sd' ')"
it_expect_store "no delegation left" 'type=deleg' 0
it_pass
