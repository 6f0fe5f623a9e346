#!/usr/bin/env bash
# it.smb_gone: an SMB client's records leave the lock store with it. Its
# session ends (the client goes away): smbd closes its handles, and their
# locks and share modes go; the next NFS lock is granted. Its smbd
# process is killed (-9): its records (it made no release) refuse NFS
# locks until Ganesha's UNIFIED sees the process gone and purges them
# (each smbd process is a lock store node of its own), with no new SMB
# connection; ulmctl then shows nothing of it. An smbd whose lock store
# cannot be opened (LMDB, or RADOS without a ceph.conf), or whose node
# base could collide, refuses the tree
# connect, and its log says why. With
# SB_SMB_STOCK=1 (stock smbd, no module) it must fail.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/smb_lib.sh
. "$IT_SRC/smb_lib.sh"
it_setup smb_gone
it_need ULM_IT_INSPECT "ulmctl"

it_unified_node n1 4 1
it_smb_node n1
it_client_start a n1
it_expect a "v4 open f both" OK

# smb_holds CLIENT: CLIENT, a new SMB client, opens f and
# locks [0,100) exclusive; an NFS lock there is denied.
smb_holds() {
	it_smb_client_start "$1" n1
	it_expect "$1" "open f both both" OK
	it_expect "$1" "lock 0 100 excl" OK
	it_expect a "v4 lock write 0 1" "DENIED write 0 100"
	it_expect_store "$1's share mode and lock" 'proto=smb ' 2
}

# smbd_node: the lock store node of the smbd process holding f's lock.
smbd_node() {
	it_store_list | sed -n 's/.* proto=smb kind=lock node=\([0-9]*\) .*/\1/p'
}

# nothing_left WHAT: no SMB record, ulmctl lists none, an NFS lock passes.
nothing_left() {
	it_expect_store_within 10 "$1: no SMB record" 'proto=smb' 0
	it_expect_value "$1: ulmctl locks shows no SMB lock" 0 \
		"$("$ULM_IT_ULMCTL" --store "$IT_STORE" locks | grep -c ' smb ')"
	it_expect a "v4 lock write 0 1" OK
	it_expect a "v4 unlock 0 1" OK
}

it_note "the SMB session ends"
smb_holds s1
it_client_stop s1
nothing_left "session ended"

it_note "smbd killed (-9): UNIFIED purges its records, no SMB connection needed"
smb_holds s2
node=$(smbd_node)
pid=$((node - 16777216))
it_expect_value "the lock's node is smbd process $pid" smbd \
	"$(cat "/proc/$pid/comm" 2>/dev/null)"
it_now_ms
killed_ms=$IT_NOW_MS
kill -9 "$pid"
# Granted once Ganesha's purge thread (a scan a second on LMDB) saw the
# process gone; denied until then.
it_expect_within 5 a "v4 lock write 0 1" OK
it_now_ms
it_pass "NFS lock granted $((IT_NOW_MS - killed_ms)) ms after kill -9"
it_expect a "v4 unlock 0 1" OK
it_client_stop s2
nothing_left "smbd killed"
it_expect_log n1 "Ganesha purged them" \
	"purged 2 records of dead smbd node $node"

it_note "no lock store: the tree connect is refused, the log says why"
echo "not a store" >"$IT_DIR/not-a-store"
it_node_daemons n2 4
IT_SMB_NODE=n2 it_smb_node n2 "ulm:store path=$IT_DIR/not-a-store"
it_smb_client_start s5 n2
it_expect s5 "open f both both" "ERR connect STATUS_UNSUCCESSFUL"
IT_SMB_NODE=n2 it_smb_log_has "smbd names the store and the error" \
	"opening lock store $IT_DIR/not-a-store as node [0-9]+: "

it_note "a node base that could collide: the tree connect is refused"
it_node_daemons n3 4
IT_SMB_NODE=n3 it_smb_node n3 "ulm:node base=16777217"
it_smb_client_start s6 n3
it_expect s6 "open f both both" "ERR connect STATUS_UNSUCCESSFUL"
IT_SMB_NODE=n3 it_smb_log_has "smbd says why" \
	"ulm:node base = 16777217.: not a multiple of 4194304"

it_note "a RADOS store that cannot be reached: the tree connect is refused"
it_node_daemons n4 4
IT_SMB_NODE=n4 it_smb_node n4 "ulm:store=rados" "ulm:pool=ulm" \
	"ulm:ceph conf=$IT_DIR/no-ceph.conf"
it_smb_client_start s7 n4
it_expect s7 "open f both both" "ERR connect STATUS_UNSUCCESSFUL"
IT_SMB_NODE=n4 it_smb_log_has "smbd names the pool and ceph.conf" \
	"opening lock store rados pool ulm namespace ulm \(ceph.conf $IT_DIR/no-ceph.conf\) as node [0-9]+: "
it_pass
