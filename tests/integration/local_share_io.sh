#!/usr/bin/env bash
# it.local_share_io: one Ganesha node, and a program beside it holding a
# share reservation in the same LMDB store (as an SMB server over libulm
# holds a share mode; tools/smb_hold.c). Its deny of write refuses
# Ganesha's NFSv3 WRITE and SETATTR size (NFS3ERR_JUKEBOX) and anonymous
# NFSv4 WRITE and SETATTR size (NFS4ERR_LOCKED, NFS4ERR_SHARE_DENIED), the
# file's bytes and size read back unchanged, as it refuses an NFSv4 OPEN
# for write; once it unshares, every one goes through. Ganesha's own share
# state knows nothing of that holder: without UNIFIED's check the writes
# land.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup local_share_io
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_SMB_HOLD "ulm-smb-hold"
# shellcheck source=tests/integration/share_io_lib.sh
. "$IT_SRC/share_io_lib.sh"

it_unified_node n1 3,4 1
it_client_start a n1
share_io_seed a f

it_note "the file's key, from the record of an open"
it_expect a "v4 open f read" OK
key=$(it_store_list | sed -n 's/^file=\([0-9a-f]*\) type=share .*/\1/p')
it_expect_value "one key" 1 "$(wc -w <<<"$key")"
it_expect a "v4 close" OK

it_note "a holder beside Ganesha denies write"
it_proc_start smb n1 "$ULM_IT_SMB_HOLD" "$(it_node_store "$IT_STORE" n1)" 9 "$key"
it_expect smb "share read write" OK
it_expect_store "its record" \
	'type=share start=0 end=eof access=r deny=w proto=smb kind=open node=9 ' 1
share_io_writes_refused a f
it_expect a "v4 open f write" "ERR NFS4ERR_SHARE_DENIED"
it_expect smb "unshare" OK
share_io_writes_pass a f
it_pass
