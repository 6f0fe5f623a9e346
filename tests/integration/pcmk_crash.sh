#!/usr/bin/env bash
# it.pcmk_crash: a real Corosync/Pacemaker cluster of three Ganesha nodes
# (nfs1..nfs3, UNIFIED on RADOS) runs ULM from config_samples/
# pacemaker-ulm.crm. First ocf-tester passes on both OCF agents. Then two
# clients hold 1,000 locks (NFSv4 and NLM) through nfs1's service address;
# nfs1's Ganesha is killed -9. Pacemaker alone notices (monitor), moves the
# address to nfs2 (crm_mon -1 says so, and shows the failure) and takes
# nfs1 over there (ulm-takeover: fence, recovery, grace, SM_NOTIFY); the
# clients reclaim every lock through the address and go on. Throughout, a
# checker on nfs3 tries locks conflicting with held ones: none granted.
# Prints the time from the kill to the first reclaim granted. Last,
# Pacemaker's fencer fences nfs3 (stonith_admin --fence, fence_ulm_ceph):
# its Ganesha, still running, is blocklisted in Ceph and refuses locks.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup pcmk_crash
it_need ULM_IT_INSPECT "ulm-store-inspect"
it_need ULM_IT_TAKEOVER "ulm-takeover"
FO_GRACE=20
# shellcheck source=tests/integration/failover_lib.sh
. "$IT_SRC/failover_lib.sh"
# shellcheck source=scripts/lib/pacemaker.sh
. "$IT_SRC/../../scripts/lib/pacemaker.sh"

OCF=$IT_SRC/../../recovery_rados/ocf
SAMPLE=$IT_SRC/../../config_samples/pacemaker-ulm.crm
PCMK_AGENTS="ulm:$OCF/ganesha ulm:$OCF/ulm-takeover"
PCMK_FENCE_AGENTS=$OCF/fence_ulm_ceph
NET=192.0.2
ip_of() { printf '%s.1%s' "$NET" "$1"; }
A=$(ip_of 1)

# Pacemaker before the sandbox: it stops the Ganeshas it runs.
pcmk__exit() {
	local rc=$?
	pcmk_stop
	(exit "$rc")
	it_rados__exit
}

fo_cluster memstore
trap pcmk__exit EXIT
# The service addresses' segment: a bridge on the hub. Replies leave a
# node by its own link to the hub, so no reverse-path filtering there.
hub=$(sb_ns hub)
ip netns exec "$hub" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.default.rp_filter=0 &&
	ip -n "$hub" link add br0 type bridge &&
	ip -n "$hub" addr add "$NET.254/24" dev br0 &&
	ip -n "$hub" link set br0 up || it_fail "hub: service bridge"

# A node as on a real machine: its own /etc/ganesha (Node_Id differs) and
# /var/log/ganesha, an interface on the bridge, a Pacemaker member.
pcmk_ganesha_node() {
	local node=$1 id=$2 dir ns
	dir=$(sb_node_dir "$node")
	fo_node_unaddressed "$node" "$id"
	ns=$(sb_ns "$node")
	mkdir -p "$dir/etc-ganesha" "$dir/log-ganesha" &&
		ln -sf "$dir/ganesha.conf" "$dir/etc-ganesha/ganesha.conf" &&
		sb_exec "$node" mount --bind "$dir/etc-ganesha" /etc/ganesha &&
		sb_exec "$node" mount --bind "$dir/log-ganesha" /var/log/ganesha ||
		it_fail "$node: private /etc/ganesha, /var/log/ganesha"
	ip -n "$hub" link add "s$id" type veth peer name svc netns "$ns" &&
		ip -n "$hub" link set "s$id" master br0 up &&
		ip -n "$ns" link set svc up || it_fail "$node: link to the bridge"
	pcmk_node "$node" "$id" "10.77.$id.2" || it_fail "$node: cluster dirs"
}

for id in 1 2 3; do pcmk_ganesha_node "nfs$id" "$id"; done
glog() { cat "$(sb_node_dir "$1")/log-ganesha/ganesha.log" 2>/dev/null; }

# ocf-tester (resource-agents) on both agents, as Pacemaker would run them
# on nfs1: start, monitor, stop, twice each, exit codes checked. It also
# runs meta-data as nobody, who may not reach the checkout (/root/ulm on
# a fresh machine): the agents go to a tmpfs of nfs1's mount namespace.
sb_exec nfs1 mount -t tmpfs -o mode=755 ulm-ocf /mnt &&
	sb_exec nfs1 install -m 755 "$OCF/ganesha" "$OCF/ulm-takeover" /mnt ||
	it_fail "nfs1: agents for ocf-tester"
ocf_test() {
	local agent=$1 out
	shift
	out=$(sb_exec nfs1 ocf-tester -n "test-$agent" "$@" "/mnt/$agent" 2>&1) || {
		printf '%s\n' "$out" | sed 's/^/#   /'
		it_fail "ocf-tester $agent"
	}
	it_pass "ocf-tester $agent: $(printf '%s\n' "$out" | tail -n 1)"
}
ocf_test ganesha -o config=/etc/ganesha/ganesha.conf
ocf_test ulm-takeover -o ip="$A" -o cidr_netmask=32 -o nic=svc \
	-o home_node=1 -o local_node=1 -o takeover="$ULM_IT_TAKEOVER" \
	-o ceph_conf="$IT_CEPH/ceph.conf" -o pool=ulm -o namespace="$FO_NS"

PCMK_TIMEOUT=60 pcmk_start ulm-test || it_fail "Corosync/Pacemaker did not form"
for node in nfs1 nfs2 nfs3; do
	it_expect_value "$node: crm_mon -1 online" "nfs1 nfs2 nfs3" "$(pcmk_online "$node")"
done
pcmk_load nfs1 "$SAMPLE" IP1="$(ip_of 1)" IP2="$(ip_of 2)" IP3="$(ip_of 3)" \
	CIDR=32 NIC=svc GANESHA_CONF=/etc/ganesha/ganesha.conf \
	CEPH_CONF="$IT_CEPH/ceph.conf" POOL=ulm NAMESPACE="$FO_NS" \
	GRACE_NAMESPACE="$FO_GRACE_NS" TAKEOVER="$ULM_IT_TAKEOVER" \
	GRACE="$FO_GRACE" WAIT=10 || it_fail "crm configure load $SAMPLE"
it_pass "loaded $(basename "$SAMPLE")"

# crm_mon -1 of nfs3 (a survivor throughout), whitespace squeezed.
status() { sb_exec nfs3 crm_mon -1 2>&1 | tr -s ' \t' ' '; }
# placed RESOURCE NODE: crm_mon shows it started there.
placed() { status | grep -q "^ \* $1 (ocf:ulm:ulm-takeover): Started $2\$"; }
all_placed() { placed ip-nfs1 nfs1 && placed ip-nfs2 nfs2 && placed ip-nfs3 nfs3; }
sb_wait_until 90 all_placed || {
	status
	it_fail "Pacemaker did not start every address at home"
}
it_pass "crm_mon -1: ip-nfs1..3 started on nfs1..3, ganesha on all"
# rados_cluster holds every node in grace while one joins.
for node in nfs1 nfs2 nfs3; do
	sb_wait_until 40 eval "glog $node | grep -Eq 'NOT IN GRACE|skipping GRACE'" ||
		it_fail "$node: Ganesha still in grace"
done

fo_workload "$A" "$(ip_of 3)"

now_ms() { date +%s%3N; }
pid=$(cat "$(sb_node_dir nfs1)/run/ganesha/ganesha.pid") || it_fail "nfs1: no Ganesha pid"
t0=$(now_ms)
kill -9 "$pid" || it_fail "kill -9 Ganesha of nfs1"
it_note "Ganesha of nfs1 (pid $pid) killed -9"
sb_wait_until 60 placed ip-nfs1 nfs2 || {
	status
	it_fail "Pacemaker did not move ip-nfs1 to nfs2"
}
t_moved=$(now_ms)
it_pass "crm_mon -1: ip-nfs1 started on nfs2 after $((t_moved - t0)) ms"
status | grep -q "ganesha 2s-interval monitor on nfs1 returned 'not running'" || {
	status
	it_fail "crm_mon -1 does not show nfs1's failed Ganesha"
}
it_pass "crm_mon -1: ganesha 2s-interval monitor on nfs1 returned 'not running'"
status | grep -Eq '^ \* Started: \[ nfs2 nfs3 \]$' && placed ip-nfs2 nfs2 &&
	placed ip-nfs3 nfs3 || {
	status
	it_fail "crm_mon -1: not Ganesha on nfs2 and nfs3 only, ip-nfs2/3 at home"
}
it_pass "crm_mon -1: Ganesha started on nfs2 and nfs3 only, ip-nfs2/3 at home"

# SM_NOTIFY from A to both; the first reclaim is a's first NLM lock (it
# is reclaimed again with the others).
for cl in a b; do
	sb_wait_until 15 eval "it_send $cl 'nsm notified'; [[ \$IT_REPLY == 'NOTIFIED $A '* ]]" ||
		it_fail "client $cl got no SM_NOTIFY from $A"
done
it_expect a "nlm lock write 0 5 nlm-a-1 reclaim" OK
t_first=$(now_ms)
fo_reclaim "" a b
it_expect_value "reclaims granted through nfs2" 1000 "$FO_RECLAIMED"
t_all=$(now_ms)
sb_wait_until $((FO_GRACE + 5)) eval "glog nfs2 | grep -q 'grace over for node 1 '" ||
	it_fail "nfs2 did not end node 1's recovery"
line=$(glog nfs2 | grep -o "grace over for node 1 ([a-z ]*): purged [0-9]*" | tail -n 1)
[[ $line == *": purged 0" ]] || it_fail "$line (locks were lost)"
it_pass "nfs2: $line"
it_expect_store "1,000 locks held after the takeover" \
	'type=write .*kind=lock .*client=ulmt-[ab]-' 1000
# The clients carry on through nfs2: a new lock, an unlock.
it_expect a "nlm lock write 5000 5 nlm-a-1" OK
it_expect a "nlm unlock 5000 5 nlm-a-1" OK
it_expect b "v4 file v4-b-1" OK
it_expect b "v4 lock write 5000 5" OK

fo_checker_end "through nfs3 during the crash and takeover"

# Fencing through Pacemaker: fence_ulm_ceph blocklists nfs3's RADOS
# clients; its Ganesha runs on but cannot renew its lease, and refuses.
it_expect c "v4 file v4-a-1" OK
it_expect c "v4 lock write 9000 5" OK
fence_out=$(sb_exec nfs2 stonith_admin --fence nfs3 --timeout 60 2>&1) ||
	it_fail "stonith_admin --fence nfs3: $fence_out"
it_pass "stonith_admin --fence nfs3: exit status 0"
history=$(sb_exec nfs2 stonith_admin --history nfs3 2>&1 | tr -s ' \t' ' ')
[[ $history == *"off of nfs3 successful"* ]] || {
	printf '%s\n' "$history"
	it_fail "stonith_admin --history nfs3 shows no successful off"
}
it_pass "stonith_admin --history nfs3: $(grep -o 'off of nfs3 successful.*' <<<"$history" | head -n 1)"
it_expect_value "ulm-takeover --status of node 3" "node 3: not live" \
	"$(sb_exec nfs2 "$ULM_IT_TAKEOVER" --node 3 --status \
		--ceph-conf "$IT_CEPH/ceph.conf" --pool ulm --namespace "$FO_NS")"
it_expect_within 10 c "v4 lock write 9100 5" "ERR NFS4ERR_GRACE"
# Told it was fenced, nfs3's Pacemaker stops and stays down (fence-reaction
# stop: "We were allegedly just fenced"); its peers see it gone.
sb_wait_until 20 eval "! pcmk_online nfs2 | grep -qw nfs3" || {
	sb_exec nfs2 crm_mon -1
	it_fail "crm_mon -1 on nfs2 still shows nfs3 online after its fencing"
}
it_pass "crm_mon -1 on nfs2: online $(pcmk_online nfs2) (nfs3's Pacemaker stopped itself)"
echo "pcmk_crash: kill -9 to ip-nfs1 started on nfs2 (crm_mon) $((t_moved - t0)) ms," \
	"to first reclaim granted $((t_first - t0)) ms, to 1,000 reclaimed $((t_all - t0)) ms"
