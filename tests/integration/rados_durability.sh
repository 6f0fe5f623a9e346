#!/usr/bin/env bash
# it.rados_durability: with bluestore, kill -9 the only OSD while a client
# takes locks one by one, restart it: every lock whose grant the client
# saw is in the table afterwards, and locking goes on after the restart.
# The client is alone on its files, so it holds their tokens: its grants
# are written behind (and go on in memory while the OSD is down), and
# the check runs once it closed the store, which writes them all.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup rados_durability
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_LOCK_LOAD "ulm-lock-load"
# shellcheck source=tests/integration/rados_lib.sh
. "$IT_SRC/rados_lib.sh"

grants() { grep -c '^GRANTED' "$(sb_node_dir n0)/load.out" || true; }
at_least() { [ "$(grants)" -ge "$1" ]; }

it_rados_cluster bluestore
sb_spawn n0 load env CEPH_CONF="$IT_CEPH/ceph.conf" \
	"$ULM_IT_LOCK_LOAD" ulm export 5 5000 || it_fail "lock load did not start"
sb_wait_until 20 at_least 50 || it_fail "no 50 grants before the crash"
ceph_osd_stop "$IT_CEPH" KILL || it_fail "OSD did not die"
before=$(grants)
it_pass "OSD killed (-9) during the load, after $before grants"
sleep 1
ceph_osd_start "$IT_CEPH" || it_fail "OSD did not restart"
it_pass "OSD restarted on its bluestore"
sb_wait_until 60 test -e "$(sb_node_dir n0)/load.status" ||
	it_fail "lock load did not end"
it_expect_value "lock load exit status" 0 "$(sb_status n0 load)"
at_least $((before + 50)) || it_fail "locking did not go on after the restart"
it_pass "$(grants) grants in all, $((before)) before the crash"

listing=$(it_store_list)
# One pass: every granted (file, start) must be a listed write lock there.
missing=$(awk 'NR == FNR { if ($2 == "type=write") held[$1 " " $3] = 1; next }
	$1 == "GRANTED" && !(($2 " " $3) in held) { n++ } END { print n + 0 }' \
	<(printf '%s\n' "$listing") "$(sb_node_dir n0)/load.out")
it_expect_value "granted locks missing from the table" 0 "$missing"
it_expect_value "locks in the table" "$(grants)" "$(grep -c . <<<"$listing")"
