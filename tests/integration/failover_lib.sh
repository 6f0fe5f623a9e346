# shellcheck shell=bash
# failover_lib.sh: Ganesha nodes that crash, restart and take over each
# other's service addresses, on one RADOS pool. Source it after it_lib.sh
# and it_setup, then:
#
#   fo_cluster [memstore|bluestore]   the hub: a network namespace routing
#                                     between all the others, running Ceph
#                                     (mon and osd on 10.77.0.1) and holding
#                                     Ganesha's grace database (ns "grace")
#   fo_node NODE ID [CONF_KEY=V...]   a Ganesha node in a namespace of its
#                                     own (rpcbind, statd), on a veth to the
#                                     hub (10.77.ID.2); its service address
#                                     10.78.0.ID is on its lo. UNIFIED on the
#                                     pool (Node_Id ID), RecoveryBackend =
#                                     rados_cluster (RADOS_KV nodeid nfsID;
#                                     lock store in namespace FO_NS, grace
#                                     database in FO_GRACE_NS)
#   fo_start NODE...                  start them together (rados_cluster
#                                     waits for every member to enforce)
#   fo_restart NODE                   start NODE again, then wait for the
#                                     next second (as fo_start)
#   fo_node_unaddressed NODE ID ...   the same without a service address
#   fo_node_destroy NODE              remove it (to set up another node)
#   fo_host HOST ID                   a client host (ID 100..199), with an
#                                     rpcbind (for its NSM service)
#   fo_client NAME HOST ADDR [ARG..]  an ulm-nfs-client there, of ADDR
#   fo_nsm_notified CLIENT ADDR       wait (15 s) until CLIENT got its
#                                     SM_NOTIFY from ADDR, else fail
#   fo_addr ID                        the service address of node ID
#   fo_move ADDR FROM TO              move a service address
#   fo_cut NODE / fo_heal NODE        cut / restore NODE's path to Ceph
#   fo_takeover NODE DEAD_ID ADDR     ulm-takeover in NODE; its output in
#                                     FO_OUT, its exit status in FO_RC
#   fo_ra NODE ACTION HOME_ID ADDR    the OCF agent (start, stop, monitor)
#   fo_batch CLIENT WANT              send stdin's commands at once; every
#                                     reply must match WANT (one check);
#                                     fo_send + fo_expect_all: several
#                                     clients at once
#   fo_workload ADDR CHECK_ADDR       1,000 locks of clients a, b through
#                                     ADDR; c probes them (fo_checker:
#                                     held locks and the gaps beside them)
#                                     through CHECK_ADDR until
#                                     fo_checker_end WHEN, the verdict
#   fo_grace_dump                     `ganesha-rados-grace dump`
#   fo_grace KIND NAME COLUMNS [NODE] a row of `ulmctl grace` (--raw),
#                                     from RADOS or NODE's DBus
#
# Only the hub routes: nodes and hosts reach each other and Ceph through
# it, so a service address moves by moving it and its hub route; a node is
# cut off from Ceph by a blackhole route, its clients still reach it.

# IT_CEPH and it_rados__exit (nodes first, then the cluster)
# shellcheck source=tests/integration/rados_lib.sh
. "$IT_SRC/rados_lib.sh"

FO_CEPH_ADDR=10.77.0.1
FO_GRACE=${FO_GRACE:-10}
FO_LEASE=${FO_LEASE:-5}
FO_RADOS_LEASE_MS=${FO_RADOS_LEASE_MS:-2000}
FO_GRACE_NS=${FO_GRACE_NS:-grace}
FO_NS=${FO_NS:-export}
declare -A FO_ID=()

fo_grace_db() {
	ceph_exec "$IT_CEPH" ganesha-rados-grace --cephconf "$IT_CEPH/ceph.conf" \
		--pool ulm --ns "$FO_GRACE_NS" "$@"
}

fo_grace_dump() { fo_grace_db dump; }

fo_cluster() {
	local hub
	sb_node_create hub || it_fail "namespace for the hub"
	trap it_rados__exit EXIT
	hub=$(sb_ns hub)
	ip -n "$hub" addr add "$FO_CEPH_ADDR/32" dev lo &&
		ip netns exec "$hub" sysctl -qw net.ipv4.ip_forward=1 ||
		it_fail "hub addresses"
	CEPH_NETNS=$hub CEPH_ADDR=$FO_CEPH_ADDR \
		ceph_start "$IT_CEPH" "$IT_NAME" "${1:-memstore}" ||
		it_fail "Ceph cluster did not start; logs in $IT_CEPH/log"
	it_pass "Ceph cluster up (${1:-memstore}, pool ulm, on $FO_CEPH_ADDR)"
}

fo_addr() { printf '10.78.0.%s' "$1"; }

# No DNS in the sandbox: statd and Ganesha look client addresses up (a
# lookup that waits for an unreachable name server stalls NLM), so every
# node and host gets a private /etc/hosts naming the test addresses and a
# resolv.conf without servers.
fo__no_dns() {
	local dir id
	dir=$(sb_node_dir "$1")
	{
		echo "127.0.0.1 localhost"
		for id in $(seq 1 9) $(seq 100 109); do
			echo "10.77.$id.2 fo-$id"
		done
		for id in $(seq 1 9); do
			echo "10.78.0.$id fo-service-$id"
		done
	} >"$dir/hosts"
	echo "options timeout:1 attempts:1" >"$dir/resolv.conf"
	sb_exec "$1" mount --bind "$dir/hosts" /etc/hosts &&
		sb_exec "$1" mount --bind "$dir/resolv.conf" /etc/resolv.conf ||
		it_fail "$1: private /etc/hosts"
}

# A namespace on a veth to the hub: 10.77.ID.2, routed through the hub.
fo__wire() {
	local name=$1 id=$2 ns hub
	ns=$(sb_ns "$name")
	hub=$(sb_ns hub)
	ip -n "$hub" link add "h$id" type veth peer name eth0 netns "$ns" &&
		ip -n "$hub" addr add "10.77.$id.1/24" dev "h$id" &&
		ip -n "$hub" link set "h$id" up &&
		ip -n "$ns" addr add "10.77.$id.2/24" dev eth0 &&
		ip -n "$ns" link set eth0 up &&
		ip -n "$ns" route add default via "10.77.$id.1" ||
		it_fail "$name: wiring to the hub"
	FO_ID[$name]=$id
	fo__no_dns "$name"
}

# FO_STOCK=1: the node is stock Ganesha (FSAL VFS, locks in the kernel),
# rados_cluster only: the anchor of bench/recovery-bench.sh.
fo_node() {
	local node=$1 id=$2 addr
	addr=$(fo_addr "$id")
	fo_node_unaddressed "$@"
	ip -n "$(sb_ns "$node")" addr add "$addr/32" dev lo &&
		ip -n "$(sb_ns hub)" route add "$addr/32" via "10.77.$id.2" ||
		it_fail "node $node: service address $addr"
}

# fo_node_unaddressed NODE ID [CONF_KEY=V...]: fo_node without a service
# address (something else, e.g. Pacemaker, puts one there).
fo_node_unaddressed() {
	local node=$1 id=$2
	local fsal=(export="1:$IT_EXPORT:/export:VFS")
	[ "${FO_STOCK:-0}" = 1 ] || fsal=(store=rados \
		ceph_conf="$IT_CEPH/ceph.conf" pool=ulm namespace="$FO_NS" \
		node_id="$id" rados_lease="$FO_RADOS_LEASE_MS" \
		export="1:$IT_EXPORT:/export:UNIFIED")
	sb_node_create "$node" || it_fail "node $node: namespaces"
	fo__wire "$node" "$id"
	sb_rpcbind_start "$node" || it_fail "node $node: rpcbind"
	sb_statd_start "$node" || it_fail "node $node: rpc.statd"
	fo_grace_db add "nfs$id" >/dev/null || it_fail "grace db: add nfs$id"
	sb_ganesha_conf "$node" protocols=3,4 lease="$FO_LEASE" \
		grace="$FO_GRACE" recovery=rados_cluster "${fsal[@]}" \
		raw="RADOS_KV { ceph_conf = \"$IT_CEPH/ceph.conf\"; pool = ulm; namespace = $FO_GRACE_NS; nodeid = nfs$id; }" \
		"${@:3}" || it_fail "node $node: config"
}

# fo_node_destroy NODE: its processes, namespaces and veth (whose hub end
# would otherwise linger a moment after the namespace went).
fo_node_destroy() {
	sb_node_destroy "$1"
	ip -n "$(sb_ns hub)" link del "h${FO_ID[$1]}" 2>/dev/null || true
}

# One second apart: Ganesha 4.3 builds NFSv4 clientids from its start
# time in seconds, and two nodes started in one second hand out the same
# ones (a client moved to the other node would then renew a stranger's).
fo_start() {
	local node pids=() rc=0
	for node in "$@"; do
		sb_ganesha_start "$node" &
		pids+=($!)
		# The next one starts a second after this one did, not after
		# it was spawned (a busy machine delays a start).
		sb_wait_until 10 eval "sb_ganesha_log_since_start $node |
			grep -q 'ganesha.nfsd Starting'" || true
		sleep 1.1
	done
	for node in "${pids[@]}"; do
		wait "$node" || rc=1
	done
	[ "$rc" = 0 ] || it_fail "ganesha.nfsd did not start on all of: $*"
	it_pass "Ganesha serving on $*"
}

fo_restart() {
	sb_ganesha_start "$1" || it_fail "$1 did not restart"
	# Its Ganesha's start second has passed once this one has.
	local started
	started=$(date +%s)
	while [ "$(date +%s)" -le "$started" ]; do sleep 0.1; done
}

fo_host() {
	sb_node_create "$1" || it_fail "host $1: namespaces"
	fo__wire "$1" "$2"
	sb_rpcbind_start "$1" || it_fail "host $1: rpcbind"
}

fo_client() {
	local name=$1 host=$2 addr=$3
	shift 3
	it_proc_start "$name" "$host" "$ULM_IT_CLIENT" --server "$addr" \
		--export /export --name "ulmt-$name-$$" --lease-renew 1 "$@"
}

fo_move() {
	local addr=$1 from=$2 to=$3
	ip -n "$(sb_ns "$from")" addr del "$addr/32" dev lo 2>/dev/null || true
	ip -n "$(sb_ns "$to")" addr add "$addr/32" dev lo &&
		ip -n "$(sb_ns hub)" route replace "$addr/32" \
			via "10.77.${FO_ID[$to]}.2" ||
		it_fail "moving $addr from $from to $to"
}

fo_cut() {
	ip -n "$(sb_ns "$1")" route add blackhole "$FO_CEPH_ADDR/32" ||
		it_fail "cutting $1 off Ceph"
}

fo_heal() {
	ip -n "$(sb_ns "$1")" route del blackhole "$FO_CEPH_ADDR/32" ||
		it_fail "reconnecting $1 to Ceph"
}

fo_takeover() {
	local node=$1 dead=$2 addr=$3
	shift 3
	FO_RC=0
	FO_OUT=$(sb_exec "$node" "$ULM_IT_TAKEOVER" --node "$dead" \
		--by "${FO_ID[$node]}" --ip "$addr" --grace "$FO_GRACE" \
		--grace-nodeid "nfs$dead" --ceph-conf "$IT_CEPH/ceph.conf" \
		--pool ulm --namespace "$FO_NS" --grace-pool ulm \
		--grace-namespace "$FO_GRACE_NS" --wait 10 "$@" 2>&1) || FO_RC=$?
	printf '%s\n' "$FO_OUT" | sed 's/^/#   takeover: /'
}

# fo_send CLIENT: send stdin's commands at once (the client runs them in
# order); fo_expect_all CLIENT WANT: read as many replies, each matching
# WANT (one check). Several clients can work at once between the two.
declare -A FO_SENT=()

declare -A FO_SENT_MS=()

fo_send() {
	local cmds
	cmds=$(cat)
	it_now_ms
	FO_SENT_MS[$1]=$IT_NOW_MS
	printf '%s\n' "$cmds" >&"${IT_FD_IN[$1]}"
	FO_SENT[$1]=$cmds
}

# Read the replies to what fo_send sent; FO_BAD: how many do not match
# WANT (the first three are printed).
fo_collect() {
	local client=$1 want=$2 line
	FO_BAD=0
	FO_N=0
	while IFS= read -r line; do
		if ! IFS= read -r -t "$IT_REPLY_TIMEOUT" \
			-u "${IT_FD_OUT[$client]}" IT_REPLY; then
			tail -n 20 "$(sb_node_dir "${IT_CLIENT_NODE[$client]}")/client-$client.out"
			it_fail "client $client: no reply to '$line'"
		fi
		# The client sends each command once it has the answer
		# to the one before.
		it_journal "$client" "${FO_SENT_MS[$client]}" "$line"
		FO_SENT_MS[$client]=$IT_NOW_MS
		FO_N=$((FO_N + 1))
		# shellcheck disable=SC2053 # glob match on purpose
		if [[ $IT_REPLY != $want ]]; then
			FO_BAD=$((FO_BAD + 1))
			[ "$FO_BAD" -gt 3 ] ||
				printf '# [%s] %s -> %s\n' "$client" "$line" "$IT_REPLY"
		fi
	done <<<"${FO_SENT[$client]}"
}

fo_expect_all() {
	fo_collect "$1" "$2"
	[ "$FO_BAD" = 0 ] || it_fail "[$1] $FO_BAD of $FO_N replies are not '$2'"
	it_pass "[$1] $FO_N commands -> $2"
}

# fo_ra NODE ACTION HOME_ID ADDR: the OCF agent recovery_rados/ocf/
# ulm-takeover, as Pacemaker runs it on NODE; its log in FO_OUT, exit
# status in FO_RC. On start the hub's route follows the address first
# (what the gratuitous ARP of a real address change does).
fo_ra() {
	local node=$1 action=$2 home=$3 addr=$4
	FO_RC=0
	[ "$action" != start ] ||
		ip -n "$(sb_ns hub)" route replace "$addr/32" \
			via "10.77.${FO_ID[$node]}.2"
	FO_OUT=$(sb_exec "$node" env OCF_RESKEY_ip="$addr" OCF_RESKEY_nic=lo \
		OCF_RESKEY_home_node="$home" \
		OCF_RESKEY_local_node="${FO_ID[$node]}" \
		OCF_RESKEY_takeover="$ULM_IT_TAKEOVER" \
		OCF_RESKEY_ceph_conf="$IT_CEPH/ceph.conf" OCF_RESKEY_pool=ulm \
		OCF_RESKEY_namespace="$FO_NS" OCF_RESKEY_grace="$FO_GRACE" \
		OCF_RESKEY_grace_nodeid="nfs$home" OCF_RESKEY_grace_pool=ulm \
		OCF_RESKEY_grace_namespace="$FO_GRACE_NS" OCF_RESKEY_wait=10 \
		sh "$IT_SRC/../../recovery_rados/ocf/ulm-takeover" "$action" 2>&1) ||
		FO_RC=$?
	printf '%s\n' "$FO_OUT" | sed "s/^/#   $node $action: /"
}

fo_batch() {
	fo_send "$1"
	fo_expect_all "$1" "$2"
}

# The workload: a client holds FO_FILES x FO_LOCKS write locks over NFSv4
# (files v4-CLIENT-F) and as many over NLM (files nlm-CLIENT-F), ranges
# [10 i, 10 i + 4]; two clients hold 1,000.
FO_FILES=${FO_FILES:-5}
FO_LOCKS=${FO_LOCKS:-50}

fo_open_cmds() {
	local f
	for f in $(seq 1 "$FO_FILES"); do echo "v4 open v4-$1-$f both"; done
}

# fo_lock_cmds CLIENT [reclaim|unlock]: take, reclaim or release CLIENT's
# locks.
fo_lock_cmds() {
	local client=$1 op="lock write" suffix="" f i
	case ${2:-} in
	reclaim) suffix=" reclaim" ;;
	unlock) op=unlock ;;
	esac
	echo "v4 renew"
	for f in $(seq 1 "$FO_FILES"); do
		echo "v4 file v4-$client-$f"
		for i in $(seq 0 $((FO_LOCKS - 1))); do
			echo "v4 $op $((i * 10)) 5$suffix"
		done
	done
	for f in $(seq 1 "$FO_FILES"); do
		for i in $(seq 0 $((FO_LOCKS - 1))); do
			echo "nlm $op $((i * 10)) 5 nlm-$client-$f$suffix"
		done
	done
}

# fo_take_locks HOLDER...: each HOLDER's locks (in parallel), then client
# c opens their NFSv4 files (for fo_checker).
fo_take_locks() {
	local cl
	for cl in "$@"; do
		fo_batch "$cl" OK < <(fo_open_cmds "$cl")
		fo_send "$cl" < <(fo_lock_cmds "$cl")
	done
	for cl in "$@"; do
		fo_expect_all "$cl" OK
		fo_batch c OK < <(fo_open_cmds "$cl")
	done
}

fo_nsm_notified() {
	sb_wait_until 15 eval "it_send $1 'nsm notified'; [[ \$IT_REPLY == 'NOTIFIED $2 '* ]]" ||
		it_fail "client $1 got no SM_NOTIFY from $2"
}

# fo_reclaim ADDR HOLDER...: each HOLDER reclaims all its locks through
# ADDR, once its SM_NOTIFY from ADDR came (ADDR "": at once), in parallel.
# FO_RECLAIMED: locks granted; FO_REFUSED: commands answered otherwise.
fo_reclaim() {
	local addr=$1 cl
	shift
	for cl in "$@"; do
		[ -z "$addr" ] || fo_nsm_notified "$cl" "$addr"
		fo_send "$cl" < <(fo_lock_cmds "$cl" reclaim)
	done
	FO_RECLAIMED=0
	FO_REFUSED=0
	for cl in "$@"; do
		fo_collect "$cl" OK
		# Less the renew and the file selections, all granted.
		FO_RECLAIMED=$((FO_RECLAIMED + FO_N - FO_BAD - 1 - FO_FILES))
		FO_REFUSED=$((FO_REFUSED + FO_BAD))
	done
}

# One command of a background prober; a missing reply is logged, not
# fatal.
fo__probe_send() {
	printf '%s\n' "$2" >&"${IT_FD_IN[$1]}"
	IFS= read -r -t "$IT_REPLY_TIMEOUT" -u "${IT_FD_OUT[$1]}" IT_REPLY ||
		IT_REPLY=TIMEOUT
}

# fo_checker CLIENT HOLDERS...: until $IT_DIR/probe.stop exists, try a
# lock inside one held by a HOLDER (must be refused: DENIED or GRACE),
# then one in the gap beside it (granted during grace too; released
# again). One line per attempt on stdout: "TIME conflict|gap ... REPLY".
# CLIENT must have opened the holders' NFSv4 files (fo_open_cmds).
fo_checker() {
	local client=$1 n=0 cl f off reply
	shift
	while [ ! -e "$IT_DIR/probe.stop" ]; do
		n=$((n + 1))
		cl=${*:$((n % $# + 1)):1}
		f=$((n % FO_FILES + 1))
		off=$((((n * 7) % FO_LOCKS) * 10))
		if [ $((n % 3)) = 0 ]; then
			fo__probe_send "$client" "nlm lock write $((off + 2)) 1 nlm-$cl-$f"
			echo "$(date +%s.%N) conflict nlm $cl $f $off $IT_REPLY"
			continue
		fi
		fo__probe_send "$client" "v4 file v4-$cl-$f"
		fo__probe_send "$client" "v4 lock write $((off + 2)) 1"
		echo "$(date +%s.%N) conflict v4 $cl $f $off $IT_REPLY"
		fo__probe_send "$client" "v4 lock write $((off + 6)) 2"
		reply=$IT_REPLY
		echo "$(date +%s.%N) gap v4 $cl $f $off $reply"
		[ "$reply" != OK ] ||
			fo__probe_send "$client" "v4 unlock $((off + 6)) 2"
	done
}

# fo_workload ADDR CHECK_ADDR: client hosts h101..h103; clients a and b
# (NSM listeners) take 1,000 locks through ADDR; client c, of CHECK_ADDR,
# runs fo_checker on them in the background (FO_CHECKER, its output in
# FO_CHECKER_LOG) until fo_checker_end.
fo_workload() {
	local addr=$1 check_addr=$2 h
	for h in 101 102 103; do fo_host "h$h" "$h"; done
	fo_client a h101 "$addr" --nsm-listen
	fo_client b h102 "$addr" --nsm-listen
	fo_client c h103 "$check_addr"
	it_note "$((4 * FO_FILES * FO_LOCKS)) locks through $addr"
	fo_take_locks a b
	# Stock nodes keep their locks in the kernel: no store to look at.
	[ "${FO_STOCK:-0}" = 1 ] || it_expect_store \
		"$((4 * FO_FILES * FO_LOCKS)) locks held" \
		'type=write .*kind=lock .*client=ulmt-[ab]-' $((4 * FO_FILES * FO_LOCKS))
	FO_CHECKER_LOG=$IT_DIR/checker.log
	fo_checker c a b >"$FO_CHECKER_LOG" 2>&1 &
	FO_CHECKER=$!
}

# fo_checker_end WHEN: stop fo_workload's checker; what it saw: no
# conflicting lock granted, every probe answered, locks beside held ones
# granted. WHEN ends the count's line ("during 10 rounds").
fo_checker_end() {
	local when=$1 log=$FO_CHECKER_LOG rc=0 attempts granted odd gaps
	touch "$IT_DIR/probe.stop"
	wait "$FO_CHECKER" || rc=$?
	it_expect_value "checker exit status" 0 "$rc"
	# A conflicting probe may only be refused: DENIED with the holder, or a
	# grace refusal. Anything else (a TIMEOUT, another error) is a failure.
	attempts=$(grep -c ' conflict ' "$log" || true)
	granted=$(grep -Ec ' conflict .* OK$' "$log" || true)
	odd=$(grep -E ' (conflict|gap) ' "$log" | grep -Ev \
		' (OK|DENIED write [0-9]+ [0-9]+( [0-9]+)?|ERR NFS4ERR_GRACE|ERR NLM4_DENIED(_GRACE_PERIOD)?)$' || true)
	gaps=$(grep -Ec ' gap .* OK$' "$log" || true)
	it_expect_value "conflicting locks granted, of $attempts tried $when" 0 "$granted"
	it_expect_value "probes answered otherwise than granted or refused (timeouts)" "" "$odd"
	[ "$gaps" -gt 0 ] || it_fail "no lock beside a held one was granted"
	it_pass "locks beside held ones granted: $gaps"
}

# fo_ulmctl_grace [OPTION...]: `ulmctl grace`, read from RADOS on the hub.
fo_ulmctl_grace() {
	sb_exec hub env CEPH_CONF="$IT_CEPH/ceph.conf" "$ULM_IT_ULMCTL" \
		--store "rados:ulm/$FO_NS" --grace-db "ulm/$FO_GRACE_NS" "$@" grace
}

# fo_ulmctl_grace_bus NODE [OPTION...]: `ulmctl grace` through NODE's
# Ganesha (DBus: the node needs dbus=1).
fo_ulmctl_grace_bus() {
	sb_exec "$1" "$ULM_IT_ULMCTL" "${@:2}" grace
}

# fo_grace KIND NAME COLUMNS [NODE]: the row of `ulmctl grace` of node or
# address NAME: --raw, "kind=K name=N" then COLUMNS (comma-separated)
# that have a value. Read from RADOS, or through NODE's Ganesha.
fo_grace() {
	local read=(fo_ulmctl_grace)
	[ -z "${4:-}" ] || read=(fo_ulmctl_grace_bus "$4")
	"${read[@]}" --raw -o "kind,name,$3" | grep "^kind=$1 name=$2 " ||
		it_fail "ulmctl grace shows no $1 $2${4:+ through the DBus of $4}"
}

# The pool's records, one line each (read-only libulm, from the hub).
it_store_list() {
	sb_exec hub env CEPH_CONF="$IT_CEPH/ceph.conf" \
		"$ULM_IT_INSPECT" --store "rados:ulm/$FO_NS" --raw records ||
		it_fail "ulmctl could not read rados:ulm/$FO_NS"
}
