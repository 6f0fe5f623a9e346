#!/usr/bin/env bash
# it.smb_rados: SMB and NFS across three nodes on one RADOS pool (a real
# single-node Ceph cluster). Each node runs Ganesha (UNIFIED on the pool)
# and smbd with vfs_ulm on the same pool ("ulm:store = rados"), its smbd
# processes numbered from a node base of its own, as separate machines
# would be. An SMB lock on node 1 denies NFSv4 LOCK and LOCKT through
# nodes 2 and 3 and NLM TEST through node 2 (the only one serving NLM: the
# nodes share one portmapper), with the SMB range as the holder, each
# refusal decided by that node's lock store; an NFS lock on node 3 denies the SMB lock on
# node 1; share modes refuse across nodes both ways (an SMB open without
# FILE_SHARE_DELETE on node 1 refuses NFSv4 RENAME and REMOVE through nodes
# 2 and 3: NFS4ERR_FILE_OPEN); SMB I/O on node 1 is
# refused under node 2's NFS write lock; unlocking lets the other in. An
# smbd on node 1 killed with -9 leaves its records: they refuse node 2
# until its RADOS lease lapses and a Ganesha purges them, with no new
# SMB connection (the time is printed); a cleanly ended smbd gives its
# lease back at once. With SB_SMB_STOCK=1 (stock smbd) it must fail.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup smb_rados
it_need ULM_IT_INSPECT "ulmctl"
# shellcheck source=tests/integration/rados_lib.sh
. "$IT_SRC/rados_lib.sh"
# shellcheck source=tests/integration/smb_lib.sh
. "$IT_SRC/smb_lib.sh"

it_rados_cluster memstore
for id in 1 2 3; do
	# A short Ganesha lease: dead smbd nodes are looked for every
	# quarter of it (fsal_unified/grace/process_purge.c).
	it_rados_node "n$id" "$id" dbus=1 rados_lease=4000 \
		"$([ "$id" = 2 ] && echo protocols=3,4 || echo protocols=4)"
done
it_smb_rados_node n1 1
# Node 2's smbd leases are long: one seen dead within 10 s gave it back.
it_smb_rados_node n2 2 "ulm:rados lease ms=30000"
it_smb_rados_node n3 3
it_rados_client a n1 # NFSv4 through node 1
it_rados_client b n2 # NFSv4 through node 2
it_rados_client c n3 # NFSv4 through node 3
it_rados_client d n2 # NLM through node 2
it_smb_client_start s1 n1 127.0.0.1
it_smb_client_start s3 n3 127.0.0.3

it_expect a "v4 open f both" OK
it_expect b "v4 open f both" OK
it_expect c "v4 open f both" OK
it_expect s1 "open f both both" OK
it_expect s3 "open f both both" OK

it_note "an SMB lock on node 1 denies NFS locks through nodes 2 and 3"
it_expect s1 "lock 0 100 excl" OK
it_expect_store_refusal n2 b "v4 lock write 50 1" "DENIED write 0 100"
it_expect_store_refusal n2 b "v4 lockt read 0 1" "DENIED write 0 100"
it_expect_store_refusal n3 c "v4 lock read 99 1" "DENIED write 0 100"
it_expect_store_refusal n3 c "v4 lockt write 10 10" "DENIED write 0 100"
it_expect_store_refusal n2 d "nlm test write 10 10 f" "DENIED write 0 100 *"
it_expect_store_refusal n2 d "nlm test read 99 1 f" "DENIED write 0 100 *"
it_smb_log_has "node 1's smbd opened the pool" \
	"node [0-9]{8} opened lock store rados pool ulm namespace"
it_expect_store "the SMB lock, node 1's smbd node" \
	'type=write start=0 end=99 proto=smb kind=lock node=[0-9]{8} ' 1

it_note "an NFS lock on node 3 denies SMB locks on nodes 1 and 3"
it_expect c "v4 lock write 200 10" OK
it_expect s1 "lock 205 1 shared" "DENIED STATUS_LOCK_NOT_GRANTED"
it_smb_log_has "node 1's smbd: refused by node 3's NFSv4 client" \
	'f: refused by a lock of ulmt-c-'
it_expect s3 "lock 200 1 excl" "DENIED STATUS_LOCK_NOT_GRANTED"
it_expect s3 "lock 50 1 shared" "DENIED STATUS_LOCK_NOT_GRANTED"
it_expect_store "refused SMB locks left nothing" 'start=(205|200|50) .*proto=smb' 0

it_note "SMB I/O on node 1 under node 2's NFS write lock is refused"
it_expect b "v4 lock write 400 10" OK
it_expect s1 "read 400 4" "DENIED STATUS_FILE_LOCK_CONFLICT"
it_expect s1 "write 405 XY" "DENIED STATUS_FILE_LOCK_CONFLICT"
it_expect s1 "write 420 XY" "OK 2"

it_note "unlock on either side lets the other in"
it_expect b "v4 unlock 400 10" OK
it_expect s1 "write 405 XY" "OK 2"
it_expect c "v4 unlock 200 10" OK
it_expect s3 "lock 200 1 excl" OK
it_expect s3 "unlock 200 1" OK
it_expect s1 "unlock 0 100" OK
it_expect b "v4 lock write 50 1" OK
it_expect b "v4 unlock 50 1" OK
it_expect s1 "close" OK
it_expect s3 "close" OK

it_note "share modes across nodes, both ways"
it_expect a "v4 close" OK
it_expect b "v4 close" OK
it_expect c "v4 close" OK
it_expect s1 "open f both read" OK
it_expect b "v4 open f write" "ERR NFS4ERR_SHARE_DENIED"
it_expect c "v4 open f both" "ERR NFS4ERR_SHARE_DENIED"
it_expect c "v4 open f read" OK
it_expect c "v4 close" OK
it_expect c "v4 rename f g" "ERR NFS4ERR_FILE_OPEN"
it_expect b "v4 remove f" "ERR NFS4ERR_FILE_OPEN"
it_expect s1 "close" OK
it_expect b "v4 open f read deny write" OK
it_expect s1 "open f write both" "DENIED STATUS_SHARING_VIOLATION"
it_expect s3 "open f both both" "DENIED STATUS_SHARING_VIOLATION"
it_expect s3 "open f read both" OK
it_expect s3 "close" OK
it_expect b "v4 close" OK

it_note "an smbd that ends cleanly gives its lease back"
it_smb_client_start s0 n2 127.0.0.2
it_expect s0 "open f read both" OK
node0=$(it_store_list | sed -n 's/.* proto=smb kind=open node=\([0-9]*\) .*/\1/p')
it_client_stop s0
# lease_of NODE: its lease as ulmctl nodes shows it (live, dead, ...).
lease_of() {
	sb_exec n0 env CEPH_CONF="$IT_CEPH/ceph.conf" "$ULM_IT_ULMCTL" \
		--store "$IT_RADOS_STORE" --raw nodes |
		sed -n "s/^node=$1 .*lease=\([a-z]*\).*/\1/p"
}
deadline=$((SECONDS + 10))
while [ "$(lease_of "$node0")" != dead ] && [ "$SECONDS" -lt "$deadline" ]; do
	sleep 0.2
done
it_expect_value "ulmctl nodes: node 2's ended smbd $node0 (30 s lease) within 10 s" \
	dead "$(lease_of "$node0")"

it_note "node 1's smbd killed (-9): its records go, no SMB connection needed"
it_smb_client_start s2 n1 127.0.0.1
it_expect s2 "open f both both" OK
it_expect s2 "lock 0 100 excl" OK
node=$(it_store_list | sed -n 's/.* proto=smb kind=lock node=\([0-9]*\) .*/\1/p')
pid=$((node - (4 << 22)))
it_expect_value "the lock's node is smbd process $pid" smbd \
	"$(cat "/proc/$pid/comm" 2>/dev/null)"
it_expect b "v4 open f both" OK
it_now_ms
killed_ms=$IT_NOW_MS
kill -9 "$pid"
it_expect_store_refusal n2 b "v4 lock write 0 1" "DENIED write 0 100"
# Its lease (3 s) lapses, then a Ganesha's scan (every second) purges.
it_expect_within 10 b "v4 lock write 0 1" OK
it_now_ms
it_pass "node 2 granted $((IT_NOW_MS - killed_ms)) ms after kill -9 of node 1's smbd"
it_expect_store "no SMB record left" 'proto=smb' 0
purged=0
for id in 1 2 3; do
	sb_ganesha_log_since_start "n$id" |
		grep -q "purged 2 records of dead smbd node $node " &&
		purged=$((purged + 1))
done
it_expect_value "a Ganesha logged the purge" yes \
	"$( ((purged > 0)) && echo yes || echo no)"
it_pass
