#!/usr/bin/env bash
# it.rados_durability: with bluestore, kill -9 the only OSD while a client
# takes locks one by one, restart it: grants go on while it is down, every
# lock whose grant the client saw is in the table afterwards, and locking
# goes on after the restart. The client is alone on its files, so it holds
# their tokens: its grants are written behind (and go on in memory while
# the OSD is down), and the check runs once it closed the store, which
# writes them all.
# Then the writer itself is killed (-9) with grants still in memory: what
# was written is a subset of what was granted (no phantom), and no byte it
# was granted, written or lost, is granted to another node: the files it
# held tokens for stay frozen (ULM_EGRACE) until its node is recovered.
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
sb_wait_until 10 at_least $((before + 100)) ||
	it_fail "no 100 grants while the OSD was down ($(grants) in all)"
it_pass "grants went on from memory while the OSD was down: $(($(grants) - before))"
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

it_note "the writer is killed with grants not yet written"
load2=$(sb_node_dir n0)/load2.out
sb_spawn n0 load2 env CEPH_CONF="$IT_CEPH/ceph.conf" \
	"$ULM_IT_LOCK_LOAD" ulm crash 30 5000 || it_fail "second load did not start"
sb_wait_until 20 eval "[ \$(grep -c '^GRANTED' '$load2') -ge 500 ]" ||
	it_fail "no 500 grants by the second load"
sb_stop n0 load2 KILL || it_fail "kill -9 of the writer"
granted2=$(grep -c '^GRANTED' "$load2")
IT_RADOS_STORE=rados:ulm/crash
listing=$(it_store_list)
phantoms=$(awk 'NR == FNR && $1 == "GRANTED" { seen[$2 " " $3] = 1; next }
	NR != FNR && $2 == "type=write" && !(($1 " " $3) in seen) { n++ }
	END { print n + 0 }' "$load2" <(printf '%s\n' "$listing"))
it_expect_value "records of locks never granted" 0 "$phantoms"
written=$(grep -c 'type=write' <<<"$listing" || true)
it_pass "$written of $granted2 grants were written before the crash"
# The last grants, most likely not written: node 2 is refused each, and
# one that was not written as frozen (ULM_EGRACE, -4101), never granted.
refused=0 lost=0
while read -r _ file start; do
	byte=${start#start=}
	# Until the killed writer's lease lapses it counts as live and is
	# asked for the file: ULM_EBUSY (-4102), retried as a client would.
	for ((try = 0; try < 100; try++)); do
		reply=$(sb_exec n0 env CEPH_CONF="$IT_CEPH/ceph.conf" \
			"$ULM_IT_LOCK_LOAD" --try ulm crash 2 "d$((byte % 16))" "$byte")
		[[ $reply == "FAILED rc=-4102 "* ]] || break
		sleep 0.2
	done
	if grep -q "^$file type=write $start " <<<"$listing"; then
		[[ $reply == "FAILED rc=-4101 "* || $reply == "FAILED rc=-11 "* ]]
	else
		lost=$((lost + 1))
		[[ $reply == "FAILED rc=-4101 "* ]]
	fi || it_fail "byte $byte of d$((byte % 16)), granted to the killed writer: node 2 got: $reply"
	refused=$((refused + 1))
done < <(grep '^GRANTED' "$load2" | tail -n 20)
it_expect_value "the killed writer's last 20 grants refused to node 2" 20 "$refused"
it_pass "of them $lost were lost with the writer (not written), refused as frozen"
