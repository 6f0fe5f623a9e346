# shellcheck shell=bash
# pcmk_lib.sh: the Pacemaker tests' cluster: three Ganesha nodes nfs1..nfs3
# (UNIFIED on RADOS, failover_lib.sh's nodes) that are members of a real
# Corosync/Pacemaker cluster (scripts/lib/pacemaker.sh) running
# config_samples/pacemaker-ulm.crm. Source it after it_lib.sh and it_setup,
# with FO_GRACE set if wanted, then:
#
#   pc_cluster            Ceph, a bridge on the hub for the service
#                         addresses (192.0.2.0/24), the three nodes with
#                         their own /etc/ganesha and /var/log/ganesha
#   pc_up                 Corosync and Pacemaker formed, the sample loaded,
#                         every address started at home, Ganesha out of
#                         grace everywhere
#   pc_ip ID              the service address of nfsID
#   pc_status             crm_mon -1 of nfs3, whitespace squeezed
#   pc_placed RES NODE    crm_mon shows address RES started on NODE
#   pc_ganesha_on NODES   crm_mon shows Ganesha started on NODES exactly
#   pc_glog NODE          NODE's Ganesha log
#   pc_pid NODE           NODE's ganesha.nfsd pid
#   pc_fenced NODE [TEXT] stonith_admin --history NODE (on nfs2) shows a
#                         successful off or reboot of NODE (and TEXT)
#
# Pacemaker is stopped before the sandbox at exit (it stops the Ganeshas
# it runs).

FO_GRACE=${FO_GRACE:-20}
# shellcheck source=tests/integration/failover_lib.sh
. "$IT_SRC/failover_lib.sh"
# shellcheck source=scripts/lib/pacemaker.sh
. "$IT_SRC/../../scripts/lib/pacemaker.sh"

PC_OCF=$IT_SRC/../../recovery_rados/ocf
PC_SAMPLE=$IT_SRC/../../config_samples/pacemaker-ulm.crm
PCMK_AGENTS="ulm:$PC_OCF/ganesha ulm:$PC_OCF/ulm-takeover"
PCMK_FENCE_AGENTS=$PC_OCF/fence_ulm_ceph
PC_NET=192.0.2

pc_ip() { printf '%s.1%s' "$PC_NET" "$1"; }

pc__exit() {
	local rc=$?
	pcmk_stop
	(exit "$rc")
	it_rados__exit
}

# A node as on a real machine: its own /etc/ganesha (Node_Id differs) and
# /var/log/ganesha, an interface on the bridge, a Pacemaker member.
pc__node() {
	local node=$1 id=$2 hub dir ns
	hub=$(sb_ns hub)
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

pc_cluster() {
	local hub id
	fo_cluster memstore
	trap pc__exit EXIT
	# Replies leave a node by its own link to the hub: no reverse-path
	# filtering there.
	hub=$(sb_ns hub)
	ip netns exec "$hub" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 &&
		ip -n "$hub" link add br0 type bridge &&
		ip -n "$hub" addr add "$PC_NET.254/24" dev br0 &&
		ip -n "$hub" link set br0 up || it_fail "hub: service bridge"
	for id in 1 2 3; do pc__node "nfs$id" "$id"; done
}

pc_glog() { cat "$(sb_node_dir "$1")/log-ganesha/ganesha.log" 2>/dev/null; }

pc_pid() {
	cat "$(sb_node_dir "$1")/run/ganesha/ganesha.pid" ||
		it_fail "$1: no Ganesha pid"
}

pc_fenced() {
	local node=$1 want=${2:-} history
	history=$(sb_exec nfs2 stonith_admin --history "$node" 2>&1 | tr -s ' \t' ' ')
	# Pacemaker asks for a reboot (pcmk_reboot_action=off makes it an off).
	[[ $history =~ (off|reboot)\ of\ $node\ successful && $history == *"$want"* ]] || {
		printf '%s\n' "$history"
		it_fail "stonith_admin --history $node: no successful fencing${want:+ with $want}"
	}
	it_pass "stonith_admin --history $node: $(grep -Eo "(off|reboot) of $node successful.*" <<<"$history" | head -n 1)"
}

pc_status() { sb_exec nfs3 crm_mon -1 2>&1 | tr -s ' \t' ' '; }

pc_placed() {
	pc_status | grep -q "^ \* $1 (ocf:ulm:ulm-takeover): Started $2\$"
}

pc_ganesha_on() { pc_status | grep -Eq "^ \* Started: \[ $* \]\$"; }

pc__all_home() {
	pc_placed ip-nfs1 nfs1 && pc_placed ip-nfs2 nfs2 &&
		pc_placed ip-nfs3 nfs3
}

pc_up() {
	local node
	PCMK_TIMEOUT=60 pcmk_start ulm-test ||
		it_fail "Corosync/Pacemaker did not form"
	for node in nfs1 nfs2 nfs3; do
		it_expect_value "$node: crm_mon -1 online" "nfs1 nfs2 nfs3" \
			"$(pcmk_online "$node")"
	done
	pcmk_load nfs1 "$PC_SAMPLE" IP1="$(pc_ip 1)" IP2="$(pc_ip 2)" \
		IP3="$(pc_ip 3)" CIDR=32 NIC=svc \
		GANESHA_CONF=/etc/ganesha/ganesha.conf \
		CEPH_CONF="$IT_CEPH/ceph.conf" POOL=ulm NAMESPACE="$FO_NS" \
		GRACE_NAMESPACE="$FO_GRACE_NS" TAKEOVER="$ULM_IT_TAKEOVER" \
		ULMCTL="$ULM_IT_ULMCTL" GRACE="$FO_GRACE" WAIT=10 ||
		it_fail "crm configure load $PC_SAMPLE"
	it_pass "loaded $(basename "$PC_SAMPLE")"
	sb_wait_until 90 pc__all_home || {
		pc_status
		it_fail "Pacemaker did not start every address at home"
	}
	it_pass "crm_mon -1: ip-nfs1..3 started on nfs1..3, ganesha on all"
	# rados_cluster holds every node in grace while one joins.
	for node in nfs1 nfs2 nfs3; do
		sb_wait_until 40 eval "pc_glog $node | grep -Eq 'NOT IN GRACE|skipping GRACE'" ||
			it_fail "$node: Ganesha still in grace"
	done
}
