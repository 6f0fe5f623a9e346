# shellcheck shell=bash
# sandbox.sh: run real NFS daemons (rpcbind, rpc.statd, ganesha.nfsd) in
# private network + mount namespaces on loopback. Source it, then:
#
#   sb_init DIR NSPREFIX        every node's files live in DIR/NODE
#   sb_node_create NODE         netns NSPREFIX-NODE + a mount-ns holder
#   sb_ganesha_conf NODE k=v..  write DIR/NODE/ganesha.conf
#   sb_ganesha_start NODE       start and wait until it serves
#   sb_dbus_start NODE          a private system bus (dbus=1 does it too)
#   sb_exec NODE CMD...         run a command inside the node
#   sb_node_link NODE PEER A PA a veth pair: NODE at A reaches PEER at PA
#   sb_stop NODE ganesha [SIG]  stop it (TERM), or crash it (KILL)
#   sb_cleanup                  stop everything sb_* started (trap EXIT)
#
# Safe under `set -euo pipefail`: functions return non-zero on failure and
# print why on stderr, with the node's log tail where one exists.
# Environment: SB_GANESHA (daemon binary), SB_VFS_MODULE (libfsalvfs.so),
# SB_UNIFIED_MODULE (libfsalunified.so, optional), SB_TIMEOUT (seconds to
# wait for a daemon, default 15), SB_DBUS_POLICIES (policy files the
# private buses include besides Ganesha's; default: ULM's lockmgr policy).

SB_ROOT=${SB_ROOT:-}
SB_NSPREFIX=${SB_NSPREFIX:-}
SB_GANESHA=${SB_GANESHA:-/usr/bin/ganesha.nfsd}
SB_VFS_MODULE=${SB_VFS_MODULE:-/usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so}
SB_UNIFIED_MODULE=${SB_UNIFIED_MODULE:-}
SB_TIMEOUT=${SB_TIMEOUT:-15}
SB_DBUS_POLICIES=${SB_DBUS_POLICIES:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/dbus_admin/org.ganesha.nfsd.lockmgr.conf}
# All namespaces of this harness start with this; stale ones are swept.
SB_NS_FAMILY=ulmt

sb_log() { printf '[sb %(%T)T] %s\n' -1 "$*" >&2; }
sb_err() { printf 'sb: ERROR: %s\n' "$*" >&2; }

# sb_init DIR NSPREFIX: a test's NSPREFIX is ulmt-<test>-<pid>, so that
# sb_sweep_stale can tell a dead run's namespaces from a live one's; any
# other prefix (e.g. the long-lived "ulm" of scripts/run.sh) is never swept.
sb_init() {
	SB_ROOT=$1
	SB_NSPREFIX=$2
	case $SB_NSPREFIX in
	"$SB_NS_FAMILY"-*-[0-9]*) ;;
	"$SB_NS_FAMILY"-*)
		sb_err "namespace prefix '$SB_NSPREFIX' is not $SB_NS_FAMILY-<test>-<pid>"
		return 1
		;;
	esac
	mkdir -p "$SB_ROOT" || return 1
	sb_sweep_stale
}

sb_node_dir() { printf '%s/%s' "$SB_ROOT" "$1"; }
sb_ns() { printf '%s-%s' "$SB_NSPREFIX" "$1"; }

# Remove namespaces (and their processes) left by runs whose shell is gone,
# e.g. a test killed by a ctest timeout before its EXIT trap could run.
sb_sweep_stale() {
	local ns owner pid
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $ns in "$SB_NS_FAMILY"-*) ;; *) continue ;; esac
		owner=${ns%-*}
		owner=${owner##*-}
		case $owner in '' | *[!0-9]*) continue ;; esac
		[ -d "/proc/$owner" ] && continue
		sb_log "sweeping stale namespace $ns (run $owner is gone)"
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
	done
}

# True while PID runs; a zombie counts as dead (pid 1 may reap late).
sb_pid_alive() {
	local state
	[ -r "/proc/$1/stat" ] || return 1
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# sb_wait_until SECONDS CMD...: poll CMD every 50 ms.
sb_wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

sb_holder_pid() { cat "$(sb_node_dir "$1")/holder.pid"; }

# sb_node_create NODE: NODE is [a-z0-9]+ (it ends the namespace's name).
sb_node_create() {
	local node=$1 dir ns
	case $node in '' | *[!a-z0-9]*)
		sb_err "node name '$node' must be [a-z0-9]+"
		return 1
		;;
	esac
	dir=$(sb_node_dir "$node")
	ns=$(sb_ns "$node")
	mkdir -p "$dir"/run "$dir"/varlibnfs/sm "$dir"/varlibnfs/sm.bak \
		"$dir"/varlibnfs/ganesha "$dir"/plugins || return 1
	rm -f "$dir/holder.ready"
	# SB_NODE_NETNS: join that existing network namespace instead (nodes
	# that must reach one loopback service, e.g. a Ceph cluster; give
	# each its own address with sb_ganesha_conf bind=).
	if [ -n "${SB_NODE_NETNS:-}" ]; then
		ns=$SB_NODE_NETNS
	else
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
	fi
	# The holder owns the mount namespace: /run and /var/lib/nfs are the
	# node's own, so rpcbind, statd and Ganesha of two nodes never meet.
	# shellcheck disable=SC2016 # expanded by the inner sh
	ip netns exec "$ns" unshare -m --propagation private -- sh -c '
		mount --bind "$1/run" /run &&
		mount --bind "$1/varlibnfs" /var/lib/nfs &&
		: >"$1/holder.ready" && exec sleep infinity' sh "$dir" \
		</dev/null >"$dir/holder.log" 2>&1 &
	echo $! >"$dir/holder.pid"
	disown $!
	if ! sb_wait_until "$SB_TIMEOUT" test -e "$dir/holder.ready"; then
		sb_err "node $node: namespace holder did not start; see $dir/holder.log"
		cat "$dir/holder.log" >&2
		return 1
	fi
}

# sb_node_link NODE PEER ADDR PEER_ADDR: a veth pair between the network
# namespaces of two nodes, NODE's end "to-PEER" with ADDR and PEER's end
# "to-NODE" with PEER_ADDR (IPv4, point to point), e.g. an NFS client host
# of its own address beside a server node. Both nodes must exist and have
# namespaces of their own (not SB_NODE_NETNS).
sb_node_link() {
	local node=$1 peer=$2 addr=$3 peer_addr=$4 ns peer_ns
	ns=$(sb_ns "$node")
	peer_ns=$(sb_ns "$peer")
	ip -n "$ns" link add "to-$peer" type veth peer name "to-$node" \
		netns "$peer_ns" || return 1
	if ! { ip -n "$ns" addr add "$addr" peer "$peer_addr" dev "to-$peer" &&
		ip -n "$peer_ns" addr add "$peer_addr" peer "$addr" \
			dev "to-$node" &&
		ip -n "$ns" link set "to-$peer" up &&
		ip -n "$peer_ns" link set "to-$node" up; }; then
		sb_err "link $node ($addr) - $peer ($peer_addr) failed"
		return 1
	fi
	sb_wait_until "$SB_TIMEOUT" eval \
		"ip -n $ns -o link show to-$peer | grep -q 'state UP'" || {
		sb_err "link $node - $peer is not up"
		return 1
	}
}

# sb_exec NODE CMD...: run CMD in the node's network and mount namespaces.
sb_exec() {
	local holder
	holder=$(sb_holder_pid "$1") || return 1
	shift
	nsenter -t "$holder" -n -m -- "$@"
}

# sb_spawn NODE TAG CMD...: start CMD in the background inside NODE.
# Its pid goes to NODE/TAG.pid, its exit status (128+N: killed by signal N)
# to NODE/TAG.status once it ends. Stdin/stdout default to /dev/null and
# NODE/TAG.out; override with SB_SPAWN_IN / SB_SPAWN_OUT. Stderr goes to
# NODE/TAG.out.
sb_spawn() {
	local node=$1 tag=$2 dir holder
	shift 2
	dir=$(sb_node_dir "$node")
	holder=$(sb_holder_pid "$node") || return 1
	rm -f "$dir/$tag.pid" "$dir/$tag.status" "$dir/$tag.stopped"
	(
		nsenter -t "$holder" -n -m -- "$@" \
			<"${SB_SPAWN_IN:-/dev/null}" \
			>>"${SB_SPAWN_OUT:-$dir/$tag.out}" 2>>"$dir/$tag.out" &
		child=$!
		echo "$child" >"$dir/$tag.pid.tmp"
		mv "$dir/$tag.pid.tmp" "$dir/$tag.pid"
		rc=0
		wait "$child" || rc=$?
		echo "$rc" >"$dir/$tag.status"
	) </dev/null >/dev/null 2>&1 &
	disown $!
	sb_wait_until "$SB_TIMEOUT" test -e "$dir/$tag.pid" || {
		sb_err "node $node: could not spawn $tag"
		return 1
	}
}

sb_pid() { cat "$(sb_node_dir "$1")/$2.pid" 2>/dev/null; }

# sb_alive NODE TAG: is the process NODE/TAG running?
sb_alive() {
	local pid
	pid=$(sb_pid "$1" "$2") || return 1
	sb_pid_alive "$pid"
}

# sb_status NODE TAG: exit status of the process, waiting up to 3 s for it
# to end ("" if it still runs; 128+N if signal N killed it).
sb_status() {
	local f
	f="$(sb_node_dir "$1")/$2.status"
	sb_wait_until 3 test -e "$f" 2>/dev/null || true
	cat "$f" 2>/dev/null || true
}

# sb_stop NODE TAG [SIGNAL]: signal the process (TERM by default) and wait
# until it is gone. Fails, saying why, if it was not running (it died of
# something else before: a crash that must not pass for this kill), if it
# ignored the signal (then it is killed), or if it did not end by that
# signal (after TERM a clean exit counts). The stop is recorded in
# NODE/TAG.stopped for sb_unexpected_deaths.
sb_stop() {
	local node=$1 tag=$2 sig=${3:-TERM} pid dir status
	dir=$(sb_node_dir "$node")
	pid=$(sb_pid "$node" "$tag") || {
		sb_err "node $node: no $tag was started"
		return 1
	}
	if ! sb_pid_alive "$pid"; then
		sb_err "node $node: $tag (pid $pid) had already ended" \
			"(status $(sb_status "$node" "$tag")) before SIG$sig"
		return 1
	fi
	echo "$sig" >"$dir/$tag.stopped"
	kill "-$sig" "$pid" 2>/dev/null || true
	if ! sb_wait_until "$SB_TIMEOUT" eval "! sb_pid_alive $pid"; then
		sb_err "node $node: $tag (pid $pid) ignored SIG$sig; killing it"
		kill -9 "$pid" 2>/dev/null || true
		sb_wait_until 5 eval "! sb_pid_alive $pid" || true
		return 1
	fi
	status=$(sb_status "$node" "$tag")
	case $sig:$status in
	KILL:137 | TERM:0 | TERM:143 | INT:0 | INT:130) ;;
	*)
		sb_err "node $node: $tag (pid $pid) ended with status" \
			"${status:-unknown} after SIG$sig"
		return 1
		;;
	esac
}

# sb_unexpected_deaths [TAG...]: prints "NODE TAG STATUS" for every
# process of those tags (default: the daemons) that ended while no
# sb_stop asked it to; fails if there is any.
sb_unexpected_deaths() {
	local tags=("$@") dir tag status found=1
	[ ${#tags[@]} -gt 0 ] || tags=(ganesha rpcbind statd dbus smbd)
	[ -n "$SB_ROOT" ] && [ -d "$SB_ROOT" ] || return 1
	for dir in "$SB_ROOT"/*/; do
		for tag in "${tags[@]}"; do
			[ -e "$dir/$tag.status" ] || continue
			[ -e "$dir/$tag.stopped" ] && continue
			status=$(cat "$dir/$tag.status")
			echo "$(basename "$dir") $tag $status"
			found=0
		done
	done
	return $found
}

# sb_rpcbind_start NODE: rpcbind, needed for NFSv3/NLM (Protocols 3).
sb_rpcbind_start() {
	sb_spawn "$1" rpcbind rpcbind -w -f || return 1
	sb_wait_until "$SB_TIMEOUT" sb_exec "$1" rpcinfo -p 127.0.0.1 \
		>/dev/null 2>&1 || {
		sb_err "node $1: rpcbind does not answer; see $(sb_node_dir "$1")/rpcbind.out"
		return 1
	}
}

# sb_rpc_registered NODE PROGRAM: is PROGRAM (number) registered?
sb_rpc_registered() {
	sb_exec "$1" rpcinfo -p 127.0.0.1 2>/dev/null |
		awk -v p="$2" '$1 == p { found = 1 } END { exit !found }'
}

# sb_statd_start NODE: rpc.statd (NSM), which Ganesha's NLM needs to grant.
# It logs to NODE/statd.out (-d), e.g. the SM_NOTIFYs it passes on.
sb_statd_start() {
	sb_spawn "$1" statd rpc.statd -F -L -d || return 1
	sb_wait_until "$SB_TIMEOUT" sb_rpc_registered "$1" 100024 || {
		sb_err "node $1: rpc.statd did not register; see $(sb_node_dir "$1")/statd.out"
		return 1
	}
}

# Print one FSAL block for an export spec: VFS | UNIFIED (over VFS) |
# UNIFIED/SUB | UNIFIED/ (no sub-FSAL) | any other single FSAL name.
sb__fsal_block() {
	case $1 in
	UNIFIED) sb__fsal_block UNIFIED/VFS ;;
	UNIFIED/)
		printf '\tFSAL { Name = UNIFIED; }\n'
		;;
	UNIFIED/*)
		printf '\tFSAL { Name = UNIFIED; FSAL { Name = %s; } }\n' "${1#UNIFIED/}"
		;;
	*) printf '\tFSAL { Name = %s; }\n' "$1" ;;
	esac
}

# sb_ganesha_conf NODE KEY=VALUE...: write NODE/ganesha.conf.
#   protocols=4|3,4   grace=5   lease=10   graceless=false
#   recovery=fs|rados_cluster|...    (NFSv4 RecoveryBackend; give its
#     RADOS_KV block with raw=)
#   loglevel=EVENT  fsal_log=LEVEL
#   store=lmdb|memory|...  store_path=DIR  node_id=N  sync=true|false
#     (any store* / node_id key adds the UNIFIED block; empty values are
#      left out, so a test can omit a parameter on purpose)
#   ceph_conf=FILE  pool=NAME  namespace=NAME   (UNIFIED, Store = rados)
#   rados_lease=MS  rados_tokens=true|false  rados_op_timeout=S
#   rados_peer_wait=S  rados_token_idle=S
#                                    (UNIFIED Rados_Lease_Ms, Rados_Tokens,
#                                     Rados_Op_Timeout: default 5 s with
#                                     ceph_conf, as Ganesha's;
#                                     Rados_Peer_Wait: default 3 s, not
#                                     Ganesha's 1 s, for a healthy node
#                                     answering a handover on a machine
#                                     loaded by a parallel suite;
#                                     Rados_Token_Idle: UNIFIED's 5 s)
#   deleg_unwatched=true|false       (UNIFIED Delegations_Unwatched)
#   bind=ADDR                        (NFS_CORE_PARAM Bind_Addr)
#   core="NAME = VALUE"              (repeatable: one more NFS_CORE_PARAM
#     setting, e.g. core="RPC_Max_Connections = 4096")
#   udp=false|true|mount             (Enable_UDP, default false; rpc.statd
#     passes SM_NOTIFY on to NLM over UDP only: true for NSM tests)
#   export=ID:PATH:PSEUDO:FSALSPEC   (repeatable; see sb__fsal_block)
#   sectype=sys|krb5,krb5i,krb5p...  (every export's SecType; default sys)
#   delegations=none|read|readwrite  (NFSv4 { Delegations = true } and
#     every export's Delegations; default: neither line, none offered)
#   krb5=KEYTAB  krb5_principal=NAME (the NFS_KRB5 block: Kerberos on,
#     service keys in KEYTAB, principal NAME, default "nfs", i.e.
#     nfs/<this host's name>)
#   delegations=true                 (NFSv4 { Delegations = true; } and
#     every export's Delegations = RW)
#   dbus=1                           (sb_ganesha_start starts a private
#     system bus in the node first: sb_dbus_start)
#   metrics_port=N metrics_address=A (UNIFIED's /metrics endpoint)
#   courtesy_age=S courtesy_records=N (UNIFIED Courtesy_Max_Age,
#                                     Courtesy_Max_Records)
#   raw=TEXT                         (appended verbatim)
sb_ganesha_conf() {
	local node=$1 dir conf kv key val
	local protocols=4 grace=5 lease=10 graceless=false loglevel=EVENT
	local recovery=""
	local fsal_log=""
	local unified=0 store="" store_path="" node_id="" sync="" raw=""
	local sectype=sys keytab="" krb5_principal=nfs
	local ceph_conf="" pool="" namespace="" bind="" udp=false dbus=0 delegations=""
	local exports=() core=""
	local rados_lease="" rados_tokens="" rados_op_timeout="" deleg_unwatched=""
	local rados_peer_wait="" rados_token_idle="" metrics_port=""
	local metrics_address=""
	local courtesy_age="" courtesy_records=""
	shift
	for kv in "$@"; do
		key=${kv%%=*}
		val=${kv#*=}
		case $key in
		protocols) protocols=$val ;;
		grace) grace=$val ;;
		lease) lease=$val ;;
		graceless) graceless=$val ;;
		recovery) recovery=$val ;;
		loglevel) loglevel=$val ;;
		fsal_log) fsal_log=$val ;;
		store) store=$val unified=1 ;;
		store_path) store_path=$val unified=1 ;;
		node_id) node_id=$val unified=1 ;;
		sync) sync=$val unified=1 ;;
		ceph_conf) ceph_conf=$val unified=1 ;;
		pool) pool=$val unified=1 ;;
		namespace) namespace=$val unified=1 ;;
		rados_lease) rados_lease=$val unified=1 ;;
		rados_tokens) rados_tokens=$val unified=1 ;;
		deleg_unwatched) deleg_unwatched=$val unified=1 ;;
		rados_op_timeout) rados_op_timeout=$val unified=1 ;;
		rados_peer_wait) rados_peer_wait=$val unified=1 ;;
		rados_token_idle) rados_token_idle=$val unified=1 ;;
		metrics_port) metrics_port=$val unified=1 ;;
		metrics_address) metrics_address=$val unified=1 ;;
		courtesy_age) courtesy_age=$val unified=1 ;;
		courtesy_records) courtesy_records=$val unified=1 ;;
		bind) bind=$val ;;
		udp) udp=$val ;;
		export) exports+=("$val") ;;
		sectype) sectype=$val ;;
		delegations) delegations=$val ;;
		krb5) keytab=$val ;;
		krb5_principal) krb5_principal=$val ;;
		raw) raw+="$val"$'\n' ;;
		core) core+=$'\t'"$val;"$'\n' ;;
		dbus) dbus=$val ;;
		delegations) delegations=$val ;;
		*)
			sb_err "sb_ganesha_conf: unknown key '$key'"
			return 1
			;;
		esac
	done
	dir=$(sb_node_dir "$node")
	conf=$dir/ganesha.conf
	sb__plugins "$node" || return 1
	if [ "$dbus" = 1 ]; then : >"$dir/dbus.want"; else rm -f "$dir/dbus.want"; fi
	{
		printf 'NFS_CORE_PARAM {\n\tProtocols = %s;\n' "$protocols"
		printf '\tPlugins_Dir = "%s/plugins";\n' "$dir"
		printf '\tEnable_RQUOTA = false;\n\tEnable_UDP = %s;\n' "$udp"
		# NFSv3 MOUNT by the pseudo path, like NFSv4: clients need one name.
		printf '\tMount_Path_Pseudo = true;\n'
		[ -z "$bind" ] || printf '\tBind_Addr = %s;\n' "$bind"
		case $protocols in
		*3*) ;;
		*) printf '\tEnable_NLM = false;\n' ;;
		esac
		printf '%s}\n' "$core"
		printf 'NFSv4 {\n\tGrace_Period = %s;\n\tLease_Lifetime = %s;\n' \
			"$grace" "$lease"
		printf '\tGraceless = %s;\n' "$graceless"
		[ -z "$delegations" ] || printf '\tDelegations = true;\n'
		[ -z "$recovery" ] ||
			printf '\tRecoveryBackend = %s;\n' "$recovery"
		printf '}\n'
		printf 'LOG {\n\tDefault_Log_Level = %s;\n' "$loglevel"
		[ -z "$fsal_log" ] ||
			printf '\tComponents { FSAL = %s; }\n' "$fsal_log"
		printf '}\n'
		if [ "$unified" = 1 ]; then
			printf 'UNIFIED {\n'
			[ -z "$store" ] || printf '\tStore = %s;\n' "$store"
			[ -z "$store_path" ] ||
				printf '\tStore_Path = "%s";\n' "$store_path"
			[ -z "$sync" ] || printf '\tSync = %s;\n' "$sync"
			[ -z "$node_id" ] || printf '\tNode_Id = %s;\n' "$node_id"
			[ -z "$ceph_conf" ] ||
				printf '\tCeph_Conf = "%s";\n' "$ceph_conf"
			[ -z "$pool" ] || printf '\tPool = "%s";\n' "$pool"
			[ -z "$namespace" ] ||
				printf '\tNamespace = "%s";\n' "$namespace"
			[ -z "$rados_lease" ] ||
				printf '\tRados_Lease_Ms = %s;\n' "$rados_lease"
			[ -z "$rados_tokens" ] ||
				printf '\tRados_Tokens = %s;\n' "$rados_tokens"
			[ -z "$deleg_unwatched" ] ||
				printf '\tDelegations_Unwatched = %s;\n' \
					"$deleg_unwatched"
			[ -z "$ceph_conf" ] ||
				printf '\tRados_Op_Timeout = %s;\n' \
					"${rados_op_timeout:-5}"
			[ -z "$ceph_conf" ] ||
				printf '\tRados_Peer_Wait = %s;\n' \
					"${rados_peer_wait:-3}"
			[ -z "$rados_token_idle" ] ||
				printf '\tRados_Token_Idle = %s;\n' \
					"$rados_token_idle"
			[ -z "$metrics_port" ] ||
				printf '\tMetrics_Port = %s;\n' "$metrics_port"
			[ -z "$metrics_address" ] ||
				printf '\tMetrics_Address = "%s";\n' \
					"$metrics_address"
			[ -z "$courtesy_age" ] ||
				printf '\tCourtesy_Max_Age = %s;\n' "$courtesy_age"
			[ -z "$courtesy_records" ] ||
				printf '\tCourtesy_Max_Records = %s;\n' \
					"$courtesy_records"
			printf '}\n'
		fi
		[ -z "$keytab" ] ||
			sb__krb5_block "$keytab" "$krb5_principal"
		for kv in "${exports[@]}"; do
			sb__export_block "$kv" "$protocols" "$sectype" \
				"$delegations" || return 1
		done
		printf '%s' "$raw"
	} >"$conf"
}

sb__export_block() {
	local id path pseudo fsal rest
	IFS=: read -r id path pseudo fsal rest <<<"$1"
	if [ -z "$fsal" ] || [ -n "$rest" ]; then
		sb_err "export spec '$1' is not ID:PATH:PSEUDO:FSAL"
		return 1
	fi
	printf 'EXPORT {\n\tExport_Id = %s;\n\tPath = "%s";\n' "$id" "$path"
	printf '\tPseudo = "%s";\n\tProtocols = %s;\n' "$pseudo" "$2"
	printf '\tAccess_Type = RW;\n\tSquash = No_Root_Squash;\n'
	printf '\tTransports = TCP;\n\tSecType = %s;\n' "${3:-sys}"
	[ -z "${4:-}" ] || printf '\tDelegations = %s;\n' "$4"
	sb__fsal_block "$fsal"
	printf '}\n'
}

sb__krb5_block() {
	printf 'NFS_KRB5 {\n\tActive_krb5 = true;\n'
	printf '\tKeytabPath = "%s";\n\tPrincipalName = "%s";\n}\n' "$1" "$2"
}

# Private Plugins_Dir: Ganesha loads libfsal<name>.so from one directory.
sb__plugins() {
	local dir
	dir=$(sb_node_dir "$1")/plugins
	mkdir -p "$dir" || return 1
	ln -sfn "$SB_VFS_MODULE" "$dir/libfsalvfs.so" || return 1
	if [ -n "$SB_UNIFIED_MODULE" ]; then
		ln -sfn "$SB_UNIFIED_MODULE" "$dir/libfsalunified.so" || return 1
	fi
}

sb_log_tail() {
	local log
	log="$(sb_node_dir "$1")/ganesha.log"
	echo "---- last lines of $log ----" >&2
	tail -n "${2:-25}" "$log" >&2 2>/dev/null || true
	echo "----" >&2
}

# Log lines written since the last sb_ganesha_start of NODE.
sb_ganesha_log_since_start() {
	local dir off
	dir=$(sb_node_dir "$1")
	off=$(cat "$dir/ganesha.logoff" 2>/dev/null || echo 0)
	tail -c "+$((off + 1))" "$dir/ganesha.log" 2>/dev/null || true
}

# The address NODE's Ganesha serves on (Bind_Addr, else 127.0.0.1).
sb_ganesha_addr() {
	local addr
	addr=$(sed -n 's/^\tBind_Addr = \(.*\);/\1/p' \
		"$(sb_node_dir "$1")/ganesha.conf" 2>/dev/null | head -n 1)
	echo "${addr:-127.0.0.1}"
}

sb__tcp_open() {
	sb_exec "$1" bash -c "exec 3<>/dev/tcp/$(sb_ganesha_addr "$1")/$2" \
		2>/dev/null
}

# Is the daemon up: NFS on 2049, and (Protocols 3) NLM registered?
sb__ganesha_serving() {
	sb__tcp_open "$1" 2049 || return 1
	case $(sed -n 's/^\tProtocols = \(.*\);/\1/p' \
		"$(sb_node_dir "$1")/ganesha.conf" | head -n 1) in
	*3*) sb_rpc_registered "$1" 100021 ;;
	esac
}

sb__ganesha_ready() {
	sb_alive "$1" ganesha || return 2
	sb__ganesha_serving "$1"
}

# sb_ganesha_start NODE: start with NODE/ganesha.conf; return once it
# serves (0), or 1 if it died or did not serve within SB_TIMEOUT.
sb_ganesha_start() {
	local node=$1 dir deadline rc
	dir=$(sb_node_dir "$node")
	if [ -e "$dir/dbus.want" ] && ! sb_alive "$node" dbus; then
		sb_dbus_start "$node" || return 1
	fi
	touch "$dir/ganesha.log"
	stat -c %s "$dir/ganesha.log" >"$dir/ganesha.logoff"
	sb_spawn "$node" ganesha "$SB_GANESHA" -F -L "$dir/ganesha.log" \
		-f "$dir/ganesha.conf" -p "$dir/ganesha.pidfile" || return 1
	deadline=$((SECONDS + SB_TIMEOUT))
	while :; do
		rc=0
		sb__ganesha_ready "$node" || rc=$?
		[ "$rc" = 0 ] && return 0
		if [ "$rc" = 2 ]; then
			sb_err "node $node: ganesha.nfsd exited (status $(sb_status "$node" ganesha)); config $dir/ganesha.conf"
			sb_log_tail "$node"
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			sb_err "node $node: ganesha.nfsd not serving after ${SB_TIMEOUT}s"
			sb_log_tail "$node"
			return 1
		fi
		sleep 0.05
	done
}

# sb_dbus_start NODE: a private dbus-daemon as the node's system bus. The
# node's /run is its own, so the bus listens on the standard socket
# /run/dbus/system_bus_socket: Ganesha started afterwards registers on it,
# and `sb_exec NODE dbus-send --system` or ulmctl reach it. Its policy is
# the system bus's default (root only for services) plus Ganesha's and
# SB_DBUS_POLICIES.
sb_dbus_start() {
	local node=$1 dir policy
	dir=$(sb_node_dir "$node")
	mkdir -p "$dir/run/dbus" || return 1
	{
		cat <<'XML'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
  </policy>
XML
		for policy in /etc/dbus-1/system.d/nfs-ganesha-dbus.conf \
			$SB_DBUS_POLICIES; do
			[ ! -e "$policy" ] ||
				printf '  <include>%s</include>\n' "$policy"
		done
		printf '</busconfig>\n'
	} >"$dir/dbus.conf"
	sb_spawn "$node" dbus dbus-daemon --config-file="$dir/dbus.conf" \
		--nofork --nopidfile || return 1
	sb_wait_until "$SB_TIMEOUT" test -S "$dir/run/dbus/system_bus_socket" || {
		sb_err "node $node: dbus-daemon did not listen; see $dir/dbus.out"
		return 1
	}
}

# sb_ganesha_wait_grace NODE [SECONDS]: wait until this start's grace ends.
sb_ganesha_wait_grace() {
	local node=$1 limit=${2:-30}
	sb_wait_until "$limit" eval \
		"! sb_alive $node ganesha || sb_ganesha_log_since_start $node |
			grep -Eq 'NOT IN GRACE|skipping GRACE'" || true
	if ! sb_alive "$node" ganesha; then
		sb_err "node $node: ganesha.nfsd ended (status" \
			"$(sb_status "$node" ganesha)) while in grace"
		return 1
	fi
	sb_ganesha_log_since_start "$node" | grep -Eq 'NOT IN GRACE|skipping GRACE' || {
		sb_err "node $node: still in grace after ${limit}s"
		sb_log_tail "$node"
		return 1
	}
}

# sb_node_destroy NODE: end every process the node runs, then its namespaces.
sb_node_destroy() {
	local node=$1 dir ns f pid
	dir=$(sb_node_dir "$node")
	ns=$(sb_ns "$node")
	# Ganesha first: it exits (status 1) when its system bus goes away
	# (libdbus's exit_on_disconnect of dbus_bus_get), which would look
	# like a death the test did not cause.
	for f in "$dir"/ganesha.pid "$dir"/*.pid; do
		[ -e "$f" ] || continue
		case $f in */holder.pid) continue ;; esac
		sb_alive "$node" "$(basename "$f" .pid)" || continue
		sb_stop "$node" "$(basename "$f" .pid)" TERM >/dev/null 2>&1 || true
	done
	pid=$(cat "$dir/holder.pid" 2>/dev/null || true)
	if [ -n "$pid" ]; then
		kill -9 "$pid" 2>/dev/null || true
		sb_wait_until 5 eval "! sb_pid_alive $pid" || true
	fi
	ip netns del "$ns" 2>/dev/null || true
}

# sb_cleanup: destroy every node under SB_ROOT (files are kept for reading).
sb_cleanup() {
	local dir node stops=()
	[ -n "$SB_ROOT" ] && [ -d "$SB_ROOT" ] || return 0
	# Every Ganesha at once (a clean stop closes its store: seconds on
	# RADOS), then each node's other processes and namespaces.
	for dir in "$SB_ROOT"/*/; do
		node=$(basename "$dir")
		sb_alive "$node" ganesha || continue
		sb_stop "$node" ganesha TERM >/dev/null 2>&1 &
		stops+=($!)
	done
	[ ${#stops[@]} -eq 0 ] || wait "${stops[@]}" || true
	for dir in "$SB_ROOT"/*/; do
		[ -e "$dir/holder.pid" ] || continue
		sb_node_destroy "$(basename "$dir")"
	done
}
