#!/usr/bin/env bash
# it.share_io: a share reservation holds for I/O that comes without an
# open of its own (NFSv3 READ, WRITE, SETATTR of the size; NFSv4 ones with
# the anonymous stateid; READ with the all-ones one) on every node, not
# only on the holder's: two nodes of one LMDB store, the deny taken through
# either, by NFSv4 OPEN or NLM_SHARE. Each refusal is the answer Ganesha
# gives on the holder's own node (checked here through a client there):
# NFS4ERR_LOCKED for READ and WRITE, NFS4ERR_SHARE_DENIED for SETATTR,
# NFS3ERR_JUKEBOX for NFSv3; the file's bytes and size are read back
# unchanged, and after CLOSE (or NLM_UNSHARE) every one of them goes
# through. As on the holder's node, NFSv3 I/O and READ bypass pass the
# advisory denies (a deny of read; an NLM share's deny of write): Ganesha's
# bypass. Without UNIFIED's check the writes through the other node land
# (stock VFS checks denies per process).
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup share_io
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_ULMCTL "ulmctl"
# shellcheck source=tests/integration/share_io_lib.sh
. "$IT_SRC/share_io_lib.sh"

it_unified_node n1 3,4 1 dbus=1
it_unified_node n2 3,4 2 dbus=1
it_client_start a n1
it_client_start b n2
it_client_start c n1 # beside the holder a: Ganesha's own answer

share_io_seed a f

it_note "ulmctl shares: the deny, its node and client, live on the other node and offline"
it_expect a "v4 open f read deny write" OK
shares=$(sb_exec n2 "$ULM_IT_ULMCTL" shares --json) ||
	it_fail "ulmctl shares on node 2: $shares"
it_expect_value "node 2 lists node 1's deny of A" "1 r w yes" \
	"$(python3 -c 'import json,sys; s=json.load(sys.stdin)["shares"]
print(*[(r["node"], r["access"], r["deny"], "yes" if "ulmt-a-" in r["client"] else "no") for r in s][0])' <<<"$shares")"
it_expect_store "the store has it" \
	'type=share start=0 end=eof access=r deny=w proto=nfs4 kind=open node=1 ' 1
it_expect a "v4 close" OK

for holder in a b; do
	other=$([ "$holder" = a ] && echo b || echo a)
	for mode in "read deny write" "both deny both"; do
		it_note "$mode held by $holder: writes through the other node"
		it_expect "$holder" "v4 open f $mode" OK
		share_io_writes_refused "$other" f
		it_expect "$other" "v4 read_bypass f 0 8" OK
		if [ "$holder" = a ]; then
			share_io_writes_refused c f
			it_expect c "v4 read_bypass f 0 8" OK
		fi
		it_expect "$holder" "v4 close" OK
		share_io_writes_pass "$other" f
	done
done

it_note "DENY_READ: anonymous READ refused on both nodes; NFSv3 READ and READ bypass pass"
for holder in a b; do
	other=$([ "$holder" = a ] && echo b || echo a)
	it_expect "$holder" "v4 open f write deny read" OK
	it_expect "$other" "v4 read f 0 8" "ERR NFS4ERR_LOCKED"
	it_expect c "v4 read f 0 8" "ERR NFS4ERR_LOCKED"
	it_expect "$other" "v4 read_bypass f 0 8" OK
	it_expect c "v4 read_bypass f 0 8" OK
	it_expect "$other" "v3 read f 0 64" "OK $SHARE_IO_SEED"
	it_expect c "v3 read f 0 64" "OK $SHARE_IO_SEED"
	it_expect "$holder" "v4 close" OK
	it_expect "$other" "v4 read f 0 8" OK
done

it_note "NLM_SHARE deny both: NFSv4 anonymous I/O refused, NFSv3 I/O passes"
for holder in a b; do
	other=$([ "$holder" = a ] && echo b || echo a)
	it_expect "$holder" "nlm share both deny both f" OK
	share_io_v4_writes "$other" f "ERR NFS4ERR_LOCKED" \
		"ERR NFS4ERR_SHARE_DENIED"
	it_expect "$other" "v4 read f 0 8" "ERR NFS4ERR_LOCKED"
	share_io_unchanged "$other" f
	share_io_v4_writes c f "ERR NFS4ERR_LOCKED" "ERR NFS4ERR_SHARE_DENIED"
	it_expect c "v4 read f 0 8" "ERR NFS4ERR_LOCKED"
	it_expect "$other" "v4 read_bypass f 0 8" OK
	it_expect c "v4 read_bypass f 0 8" OK
	it_expect "$other" "v3 read f 0 64" "OK $SHARE_IO_SEED"
	share_io_v3_writes "$other" f OK
	share_io_seed "$other" f
	it_expect "$holder" "nlm unshare both deny both f" OK
	share_io_writes_pass "$other" f
	it_expect "$other" "v4 read f 0 8" OK
done
it_pass
