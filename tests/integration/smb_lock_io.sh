#!/usr/bin/env bash
# it.smb_lock_io: the mandatory bridge. An SMB open beside Ganesha on one
# node (tools/smb_hold.c: Windows byte-range locks in the same LMDB store,
# as an SMB server over libulm takes them) locks [0,100) exclusive and
# [200,300) shared. NFS I/O into them is refused as Windows refuses its
# own clients: a read or a write into the exclusive range, a write into
# the shared one; under an open (NFSv4 READ/WRITE with the open stateid:
# NFS4ERR_LOCKED), with the anonymous stateid (NFS4ERR_LOCKED; SETATTR of
# the size cutting into a lock too) and over NFSv3 (NFS3ERR_JUKEBOX,
# which clients retry); beside them I/O passes, and the bytes are
# unchanged. An NFSv4 LOCK or NLM TEST over them is denied with the SMB
# range. Once the SMB side unlocks, all of it goes through. An export with
# Smb_Locks_Mandatory = false lets the I/O pass (the locks still refuse
# NFS locks).
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup smb_lock_io
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_SMB_HOLD "ulm-smb-hold"

mkdir -p "$IT_EXPORT/adv"
advisory_export="EXPORT {
	Export_Id = 2; Path = \"$IT_EXPORT/adv\"; Pseudo = \"/adv\";
	Protocols = 3,4; Access_Type = RW; Squash = No_Root_Squash;
	Transports = TCP; SecType = sys;
	FSAL { Name = UNIFIED; Smb_Locks_Mandatory = false;
	       FSAL { Name = VFS; } }
}
"
it_unified_node n1 3,4 1 raw="$advisory_export"
it_client_start a n1
it_client_start v n1 /adv

# key_of CLIENT FILE: the file's key in KEY, from the record of an open.
key_of() {
	it_expect "$1" "v4 open $2 read" OK
	KEY=$(it_store_list | sed -n 's/^file=\([0-9a-f]*\) type=share .*/\1/p')
	it_expect "$1" "v4 close" OK
	it_expect_value "one key for $2" 1 "$(wc -w <<<"$KEY")"
}

# smb_locks HOLDER: [0,100) exclusive and [200,300) shared.
smb_locks() {
	it_expect "$1" "lock exclusive 0 100" OK
	it_expect "$1" "lock shared 200 100" OK
}

it_expect a "v3 write f 0 original" OK
it_expect a "v4 write f 8 392" OK
key_of a f
it_proc_start smb n1 "$ULM_IT_SMB_HOLD" "$(it_node_store "$IT_STORE" n1)" 9 "$KEY"
smb_locks smb
it_expect_store "the SMB locks" 'type=write start=0 end=99 .*proto=smb ' 1

it_note "under an open (NFSv4, the open stateid)"
it_expect a "v4 open f both" OK
it_expect a "v4 io read 50 10" "ERR NFS4ERR_LOCKED"
it_expect a "v4 io write 99 1" "ERR NFS4ERR_LOCKED"
it_expect a "v4 io read 250 10" OK
it_expect a "v4 io write 299 2" "ERR NFS4ERR_LOCKED"
it_expect a "v4 io write 100 100" OK
it_expect a "v4 io read 300 10" OK

it_note "no open: NFSv4 anonymous stateid, NFSv3"
it_expect a "v4 write f 10 5" "ERR NFS4ERR_LOCKED"
it_expect a "v4 read f 0 8" "ERR NFS4ERR_LOCKED"
it_expect a "v4 truncate f 50" "ERR NFS4ERR_LOCKED"
it_expect a "v3 write f 0 XXXX" "ERR NFS3ERR_JUKEBOX"
it_expect a "v3 read f 0 8" "ERR NFS3ERR_JUKEBOX"
it_expect a "v3 write f 250 XXXX" "ERR NFS3ERR_JUKEBOX"
it_expect a "v3 read f 250 4" "OK ...."
it_expect a "v3 write f 150 XXXX" OK
it_expect a "v3 read f 150 4" "OK XXXX"
it_expect a "v3 size f" "OK 400"

it_note "NFS locks over SMB ones are denied with the SMB range"
it_expect a "v4 lock write 90 20" "DENIED write 0 100"
it_expect a "v4 lock write 250 1" "DENIED read 200 100"
it_expect a "v4 lock read 250 1" OK
it_expect a "v4 unlock 250 1" OK
it_expect a "v4 lock read 50 1" "DENIED write 0 100"

it_note "the SMB side unlocks: all of it goes through"
it_expect smb "unlock 0 100" OK
it_expect smb "unlock 200 100" OK
it_expect smb "unlock 200 100" "ERR *"
it_expect a "v3 read f 0 8" "OK original"
it_expect a "v4 io write 299 2" OK
it_expect a "v4 io read 50 10" OK
it_expect a "v3 write f 0 XXXX" OK
it_expect a "v4 lock write 90 20" OK
it_expect a "v4 unlock 90 20" OK
it_expect a "v4 close" OK

it_note "an export with Smb_Locks_Mandatory = false: advisory for NFS I/O"
it_expect v "v3 write g 0 original" OK
key_of v g
it_proc_start smbg n1 "$ULM_IT_SMB_HOLD" "$(it_node_store "$IT_STORE" n1)" 10 "$KEY"
smb_locks smbg
it_expect v "v3 write g 0 XXXX" OK
it_expect v "v4 write g 10 5" OK
it_expect v "v4 open g both" OK
it_expect v "v4 io read 50 10" OK
it_expect v "v4 lock write 90 20" "DENIED write 0 100"
it_pass
