#!/usr/bin/env bash
# it.dbus_scale: ulmctl over DBus to a running Ganesha (UNIFIED, LMDB)
# whose lock store holds 100,000 files of locks (node 2's, put there
# through libulm) besides one client's lock: finding that lock by client
# and by path, breaking it by id, and the whole listing (every record
# once, the broken one gone) each answer within ulmctl's DBus timeout
# (25 s: past it the operator gets an error, not an answer); the offline
# listing streams every record too.
# it.dbus_scale_rados (dbus_scale_rados.sh runs this): the same on RADOS
# with 12,000 files, past the node's 8,192 watches, where a listing used
# to join every file (1.7 ms each: over 20 s here, or past the timeout on
# a loaded host).
# Each call's time is noted, not asserted: on a shared 2-core CI host it
# varies fivefold. bench/listing-bench.sh measures it against targets.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/dbus_lib.sh
. "$IT_SRC/dbus_lib.sh"
it_setup "$(basename "$0" .sh)"
it_need ULM_IT_ULMCTL "ulmctl"
it_need ULM_IT_STORE_SCALE "ulm-store-scale"
A="ulmt-a-$$"

if [ "$IT_NAME" = dbus_scale ]; then
	FILES=100000 STORE=lmdb:$IT_STORE OFFLINE=()
	fill() { "$ULM_IT_STORE_SCALE" fill "$STORE" 2 "$FILES" 1; }
else
	# shellcheck source=tests/integration/rados_lib.sh
	. "$IT_SRC/rados_lib.sh"
	FILES=12000 STORE=$IT_RADOS_STORE
	OFFLINE=(--ceph-conf "$IT_CEPH/ceph.conf")
	fill() { ceph_exec "$IT_CEPH" "$ULM_IT_STORE_SCALE" fill "$STORE" 2 "$FILES" 1; }
	it_rados_cluster memstore
fi

it_note "filling the store: $FILES files of node 2, one lock each"
out=$(fill) || it_fail "ulm-store-scale fill: $out"
it_note "$out"

if [ "$IT_NAME" = dbus_scale ]; then
	it_unified_node n1 4 1 dbus=1
	it_client_start a n1
else
	it_rados_node n1 1 dbus=1
	it_rados_client a n1
fi
it_expect a "v4 open f both" OK
it_expect a "v4 lock write 0 100" OK

# timed WHAT ARG...: ulmctl ARG... on node 1, its wall time noted.
timed() {
	local t0
	it_now_ms
	t0=$IT_NOW_MS
	ulmctl "${@:2}"
	it_now_ms
	it_note "$1: ulmctl ${*:2}: exit $RC in $((IT_NOW_MS - t0)) ms${ERR:+: $ERR}"
}

timed "find by client" locks --client "$A" --raw -o id,type,start,end
it_expect_value "A's lock, found among $FILES files" "0 1" \
	"$RC $(grep -c "type=write start=0 end=99$" <<<"$OUT")"
id=$(sed -n 's/^id=\([0-9a-f]*\) .*/\1/p' <<<"$OUT")

timed "one file" locks --path "$IT_EXPORT/f" -n -o id
it_expect_value "the file's one lock" "0 $id" "$RC $OUT"

timed "break" break lock "$id"
it_expect_value "break: exit status" 0 "$RC"
ulmctl locks --client "$A" -n -o id
it_expect_value "A's lock is gone from the store" "0 " "$RC $OUT"

timed "whole listing" locks -n --raw -o id
it_expect_value "whole listing: every node-2 record, once" "0 $FILES $FILES" \
	"$RC $(wc -l <<<"$OUT") $(sort -u <<<"$OUT" | wc -l)"

it_note "offline, streamed: --store --json is one document of every record"
ulmctl --store "$STORE" "${OFFLINE[@]}" locks --json
it_expect_value "offline JSON: $FILES records, none of A" "0 $FILES 0" \
	"$RC $(python3 -c 'import json,sys; l=json.load(sys.stdin)["locks"]; print(len(l), sum(r["client"] != "fill-client" for r in l))' <<<"$OUT")"
