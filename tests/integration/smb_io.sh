#!/usr/bin/env bash
# it.smb_io: the mandatory bridge both ways, through real smbd ("vfs
# objects = ulm") and Ganesha (UNIFIED) on one node and one store. An SMB
# client's locks ([0,100) exclusive, [200,300) shared) refuse NFS I/O as
# Windows refuses other handles: a read or a write into the exclusive
# range, a write into the shared one; NFSv4 under the open stateid and
# with the anonymous stateid (NFS4ERR_LOCKED), NFSv3 (NFS3ERR_JUKEBOX);
# the holder's own SMB I/O passes. An NFS write lock refuses an SMB READ
# and WRITE into it, an NFS read lock an SMB WRITE
# (STATUS_FILE_LOCK_CONFLICT, as smbd answers its own strict locking),
# and the refused write left the bytes as they were. Unlocking lets all
# of it through. With SB_SMB_STOCK=1 (stock smbd, no module) it must fail.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/smb_lib.sh
. "$IT_SRC/smb_lib.sh"
it_setup smb_io
it_need ULM_IT_INSPECT "ulmctl"

it_unified_node n1 3,4 1
it_smb_node n1
it_smb_client_start s n1 # SMB
it_client_start a n1     # NFSv4 and NFSv3

it_expect a "v3 write f 0 original" OK
it_expect a "v4 write f 8 392" OK
it_expect a "v4 open f both" OK
it_expect s "open f both both" OK

it_note "NFS I/O under SMB locks"
it_expect s "lock 0 100 excl" OK
it_expect s "lock 200 100 shared" OK
it_expect a "v4 io read 50 10" "ERR NFS4ERR_LOCKED"
it_expect a "v4 io write 99 1" "ERR NFS4ERR_LOCKED"
it_expect a "v4 io write 299 2" "ERR NFS4ERR_LOCKED"
it_expect a "v4 io read 250 10" OK
it_expect a "v4 write f 10 5" "ERR NFS4ERR_LOCKED"
it_expect a "v3 write f 0 XXXX" "ERR NFS3ERR_JUKEBOX"
it_expect a "v3 read f 0 8" "ERR NFS3ERR_JUKEBOX"
it_expect a "v3 write f 250 XXXX" "ERR NFS3ERR_JUKEBOX"
it_expect a "v3 read f 250 4" "OK ...."
it_expect_store "the SMB locks" 'type=(write start=0 end=99|read start=200 end=299) proto=smb ' 2
it_expect a "v3 write f 150 XXXX" OK
it_expect s "read 0 8" "OK 8"
it_expect s "write 0 SMB1" "OK 4"
it_expect s "unlock 0 100" OK
it_expect s "unlock 200 100" OK
it_expect a "v3 read f 0 8" "OK SMB1inal"
it_expect a "v4 io write 299 2" OK

it_note "SMB I/O under an NFS write lock"
it_expect a "v4 lock write 100 50" OK
it_expect s "read 120 10" "DENIED STATUS_FILE_LOCK_CONFLICT"
it_expect s "write 149 ZZZZ" "DENIED STATUS_FILE_LOCK_CONFLICT"
it_smb_log_has "the module refused the write" \
	'f: write of \[149, \+4\) refused by a lock of ulmt-a-'
it_expect a "v3 read f 149 4" "OK .XXX"
it_expect s "read 150 10" "OK 10"
it_expect s "write 98 ZZZZ" "DENIED STATUS_FILE_LOCK_CONFLICT"

it_note "SMB I/O under an NFS read lock: reads pass, writes are refused"
it_expect a "v4 lock read 300 50" OK
it_expect s "read 310 10" "OK 10"
it_expect s "write 310 ZZZZ" "DENIED STATUS_FILE_LOCK_CONFLICT"
it_expect a "v3 read f 310 4" "OK ...."

it_note "NFS unlocks: SMB I/O goes through"
it_expect a "v4 unlock 100 50" OK
it_expect a "v4 unlock 300 50" OK
it_expect s "write 149 ZZZZ" "OK 4"
it_expect s "write 310 ZZZZ" "OK 4"
it_expect a "v3 read f 149 4" "OK ZZZZ"
it_expect a "v3 read f 310 4" "OK ZZZZ"
it_expect s "close" OK
it_expect a "v4 close" OK
it_pass
