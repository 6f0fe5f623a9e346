#!/usr/bin/env bash
# it.dbus_rados: ulmctl reads a RADOS lock store directly, with no Ganesha
# involved (--store rados:POOL/NAMESPACE, the cluster from --ceph-conf or
# $CEPH_CONF): the locks and shares of clients of three Ganesha nodes on
# one pool, cluster-wide, as a table, JSON and KEY=VALUE lines, counted per
# node; node 1's Ganesha lists the same records over DBus; a missing pool
# or keyring is a clear error (exit 1).
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup dbus_rados
it_need ULM_IT_ULMCTL "ulmctl"
# shellcheck source=tests/integration/rados_lib.sh
. "$IT_SRC/rados_lib.sh"
# shellcheck source=tests/integration/dbus_lib.sh
. "$IT_SRC/dbus_lib.sh"

it_rados_cluster memstore
it_rados_node n1 1 dbus=1
it_rados_node n2 2
it_rados_node n3 3
it_rados_client a n1
it_rados_client b n2
it_rados_client c n3
it_expect a "v4 open f both" OK
it_expect a "v4 lock write 0 100" OK
it_expect b "v4 open f both" OK
it_expect b "v4 lock read 200 10" OK
it_expect c "v4 open g read deny write" OK
POOL=(--store "$IT_RADOS_STORE" --ceph-conf "$IT_CEPH/ceph.conf")
squeeze() { tr -s ' ' <<<"$OUT"; }

it_note "the pool, read by ulmctl alone"
ulmctl "${POOL[@]}" locks -o type,start,end,node,client
it_expect_value "locks of nodes 1 and 2" \
	"TYPE START END NODE CLIENT|write 0 99 1 ulmt-a-$$|read 200 209 2 ulmt-b-$$" \
	"$(squeeze | sed 's/^ //' | paste -sd'|')"
ulmctl "${POOL[@]}" --user admin nodes -n
it_expect_value "three nodes: live, locks, shares" "1 1 no live - 1 1 0 0|2 1 no live - 1 1 0 0|3 1 no live - 0 1 0 0" \
	"$(squeeze | sed 's/^ //' | paste -sd'|')"
ulmctl "${POOL[@]}" shares --json --node 3
it_expect_value "JSON: node 3's share denies write" "1 r w ulmt-c-$$" \
	"$(python3 -c 'import json,sys; s=json.load(sys.stdin)["shares"]; print(len(s), s[0]["access"], s[0]["deny"], s[0]["client"])' <<<"$OUT")"
ulmctl "${POOL[@]}" records --raw
ids=$(ids)
it_expect_value "five records" 5 "$(wc -l <<<"$ids")"
OUT=$(sb_exec n1 env CEPH_CONF="$IT_CEPH/ceph.conf" "$ULM_IT_ULMCTL" \
	--store "$IT_RADOS_STORE" records --raw)
it_expect_value "the same, with \$CEPH_CONF" "$ids" "$(ids)"

it_note "node 1's Ganesha lists the whole pool over DBus"
ulmctl records --raw
it_expect_value "the same record ids" "$ids" "$(ids)"
ulmctl locks --node 2 -n -o path
it_expect_value "node 2's lock, named by its path" "$IT_EXPORT/f" "$(squeeze)"

it_note "errors"
ulmctl_expect "missing pool" 1 \
	"ulmctl: cannot open the lock store rados:nopool/x: No such file or directory (no store there?)" \
	--store rados:nopool/x --ceph-conf "$IT_CEPH/ceph.conf" locks
