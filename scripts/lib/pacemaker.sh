# shellcheck shell=bash
# pacemaker.sh: a real Corosync/Pacemaker cluster whose nodes are
# sandbox.sh nodes (a network namespace each, and a mount namespace holder
# whose /run is the node's own). Source sandbox.sh, create the nodes and
# wire them so that they reach each other, then:
#
#   pcmk_node NODE ID ADDR       make NODE a cluster member (Corosync
#                                nodeid ID, ring address ADDR): its own
#                                /etc/corosync, /var/lib/corosync,
#                                /var/lib/pacemaker, /var/log/pacemaker,
#                                /dev/shm, /etc/hosts, OCF agents
#                                (PCMK_AGENTS) and fence agents
#                                (PCMK_FENCE_AGENTS)
#   pcmk_start CLUSTER           write corosync.conf and the members' names
#                                in /etc/hosts on every member, start
#                                corosync then pacemakerd on each; return
#                                once every member sees all of them online
#   pcmk_online NODE             the members NODE's crm_mon -1 shows online
#   pcmk_load NODE FILE N=V...   load a crmsh configuration, its ${N}s
#                                filled in
#   pcmk_crm NODE ARG...         crm (crmsh) on NODE
#   pcmk_stop                    maintenance mode, then stop Pacemaker and
#                                Corosync on every member, together; end
#                                the resources left in the namespaces
#
# Why each path is private: libqb's IPC (how crm_mon, the Pacemaker daemons
# and Corosync talk) is abstract unix sockets, one set per network
# namespace, plus ring buffers in /dev/shm, named by service and pid; the
# CIB and the scheduler's inputs are in /var/lib/pacemaker; the node's
# cluster name and membership in /etc/corosync. Member names come from the
# nodelist (the nodes share one UTS namespace, so one hostname); crmsh
# pings a node it is to put in standby or online by name, so each member's
# /etc/hosts names them all, as a real cluster's name service does.
# Environment: PCMK_AGENTS: "PROVIDER:FILE..." OCF agents each node sees
# under /usr/lib/ocf/resource.d/PROVIDER (Pacemaker 2.1 looks there only);
# PCMK_FENCE_AGENTS: "FILE..." fence agents each node sees in /usr/sbin;
# PCMK_TIMEOUT: seconds for the cluster to form (default 60).

PCMK_TIMEOUT=${PCMK_TIMEOUT:-60}
PCMK_AGENTS=${PCMK_AGENTS:-}
PCMK_FENCE_AGENTS=${PCMK_FENCE_AGENTS:-}
PCMK_OCF_DIR=/usr/lib/ocf/resource.d
# Member records, "ID NODE ADDR", in pcmk_node order.
PCMK_MEMBERS=()

pcmk_err() { printf 'pacemaker.sh: ERROR: %s\n' "$*" >&2; }

pcmk__dir() { printf '%s/pcmk' "$(sb_node_dir "$1")"; }

# pcmk__bind NODE SRC DST: SRC over DST in NODE's mount namespace.
pcmk__bind() { sb_exec "$1" mount --rbind "$2" "$3"; }

# The node's agent directory: Debian's providers, and PCMK_AGENTS.
pcmk__agents() {
	local node=$1 ocf spec provider
	ocf=$(pcmk__dir "$node")/resource.d
	for provider in "$PCMK_OCF_DIR"/*/; do
		provider=$(basename "$provider")
		mkdir -p "$ocf/$provider" &&
			pcmk__bind "$node" "$PCMK_OCF_DIR/$provider" \
				"$ocf/$provider" || return 1
	done
	for spec in $PCMK_AGENTS; do
		provider=${spec%%:*}
		mkdir -p "$ocf/$provider" &&
			ln -sfn "${spec#*:}" "$ocf/$provider/" || return 1
	done
	pcmk__bind "$node" "$ocf" "$PCMK_OCF_DIR"
}

# Fence agents: Pacemaker's fencer runs /usr/sbin/fence_*; the node sees
# PCMK_FENCE_AGENTS there too, through a read-only overlay.
pcmk__fence_agents() {
	local node=$1 sbin agent
	[ -n "$PCMK_FENCE_AGENTS" ] || return 0
	sbin=$(pcmk__dir "$node")/sbin
	mkdir -p "$sbin" || return 1
	for agent in $PCMK_FENCE_AGENTS; do
		ln -sfn "$agent" "$sbin/" || return 1
	done
	sb_exec "$node" mount -t overlay overlay -o "lowerdir=$sbin:/usr/sbin" \
		/usr/sbin
}

pcmk_node() {
	local node=$1 id=$2 addr=$3 dir sub
	dir=$(pcmk__dir "$node")
	for sub in etc-corosync lib-corosync lib-pacemaker/cib \
		lib-pacemaker/pengine lib-pacemaker/blackbox \
		lib-pacemaker/cores log-pacemaker/bundles shm; do
		mkdir -p "$dir/$sub" || return 1
	done
	pcmk__seed_cib >"$dir/lib-pacemaker/cib/cib.xml" &&
		cp /etc/hosts "$dir/hosts" &&
		chown -R hacluster:haclient "$dir/lib-pacemaker" "$dir/log-pacemaker" &&
		chmod 750 "$dir"/lib-pacemaker/* && chmod 1777 "$dir/shm" ||
		return 1
	pcmk__bind "$node" "$dir/etc-corosync" /etc/corosync &&
		pcmk__bind "$node" "$dir/lib-corosync" /var/lib/corosync &&
		pcmk__bind "$node" "$dir/lib-pacemaker" /var/lib/pacemaker &&
		pcmk__bind "$node" "$dir/log-pacemaker" /var/log/pacemaker &&
		pcmk__bind "$node" "$dir/shm" /dev/shm &&
		pcmk__bind "$node" "$dir/hosts" /etc/hosts &&
		pcmk__agents "$node" && pcmk__fence_agents "$node" || {
		pcmk_err "node $node: private cluster directories"
		return 1
	}
	PCMK_MEMBERS+=("$id $node $addr")
}

# An empty configuration but for dc-deadtime: a member that starts waits
# that long for a DC before it holds an election (default 20 s, all of it
# spent at every start of a new cluster). Without a cib.xml.sig Pacemaker
# takes the file as it is.
pcmk__seed_cib() {
	cat <<'XML'
<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="cib-bootstrap-options-dc-deadtime" name="dc-deadtime" value="2s"/>
      </cluster_property_set>
    </crm_config>
    <nodes/>
    <resources/>
    <constraints/>
  </configuration>
  <status/>
</cib>
XML
}

# Knet over UDP between the ring addresses; no quorum device, no crypto
# (one machine). A token of 1 s: a dead member is noticed within seconds.
pcmk__corosync_conf() {
	local cluster=$1 member id node addr
	printf 'totem {\n\tversion: 2\n\tcluster_name: %s\n' "$cluster"
	printf '\ttransport: knet\n\tcrypto_cipher: none\n\tcrypto_hash: none\n'
	printf '\ttoken: 1000\n}\n'
	printf 'nodelist {\n'
	for member in "${PCMK_MEMBERS[@]}"; do
		read -r id node addr <<<"$member"
		printf '\tnode {\n\t\tname: %s\n\t\tnodeid: %s\n' "$node" "$id"
		printf '\t\tring0_addr: %s\n\t}\n' "$addr"
	done
	printf '}\nquorum {\n\tprovider: corosync_votequorum\n}\n'
	printf 'logging {\n\tto_logfile: yes\n\tlogfile: /var/log/pacemaker/corosync.log\n'
	printf '\tto_syslog: no\n\tto_stderr: no\n\ttimestamp: on\n}\n'
	# Pacemaker's daemons run as hacluster.
	printf 'uidgid {\n\tuid: hacluster\n\tgid: haclient\n}\n'
}

pcmk__each() {
	local member id node addr
	for member in "${PCMK_MEMBERS[@]}"; do
		read -r id node addr <<<"$member"
		"$@" "$node" || return 1
	done
}

pcmk__corosync_start() { sb_spawn "$1" corosync corosync -f; }

pcmk__corosync_wait() {
	sb_wait_until "$SB_TIMEOUT" eval \
		"sb_exec $1 corosync-cfgtool -s >/dev/null 2>&1" || {
		pcmk_err "node $1: corosync does not answer; see $(pcmk__dir "$1")/log-pacemaker/corosync.log"
		return 1
	}
}

pcmk__pacemaker_start() {
	sb_spawn "$1" pacemakerd env PCMK_logfile=/var/log/pacemaker/pacemaker.log \
		PCMK_logfacility=none pacemakerd
}

# pcmk_online NODE: the members online in NODE's crm_mon -1, one line.
pcmk_online() {
	sb_exec "$1" crm_mon -1 2>/dev/null |
		sed -n 's/^ *\* Online: \[ \(.*\) \]$/\1/p'
}

pcmk__all_online() {
	[ "$(pcmk_online "$1" | wc -w)" = "${#PCMK_MEMBERS[@]}" ]
}

pcmk_start() {
	local cluster=$1 member id node addr conf names=""
	conf=$(pcmk__corosync_conf "$cluster") || return 1
	for member in "${PCMK_MEMBERS[@]}"; do
		read -r id node addr <<<"$member"
		names+="$addr $node"$'\n'
	done
	for member in "${PCMK_MEMBERS[@]}"; do
		read -r id node addr <<<"$member"
		printf '%s\n' "$conf" >"$(pcmk__dir "$node")/etc-corosync/corosync.conf"
		printf '%s' "$names" >>"$(pcmk__dir "$node")/hosts"
	done
	pcmk__each pcmk__corosync_start || return 1
	pcmk__each pcmk__corosync_wait || return 1
	pcmk__each pcmk__pacemaker_start || return 1
	for member in "${PCMK_MEMBERS[@]}"; do
		read -r id node addr <<<"$member"
		sb_wait_until "$PCMK_TIMEOUT" pcmk__all_online "$node" || {
			pcmk_err "node $node: not every member online within" \
				"${PCMK_TIMEOUT}s; crm_mon -1 says:"
			sb_exec "$node" crm_mon -1 >&2 || true
			return 1
		}
	done
}

# pcmk_load NODE FILE NAME=VALUE...: load a crmsh configuration whose
# ${NAME}s are given (config_samples/pacemaker-ulm.crm); fails, naming
# them, if any is left unset.
pcmk_load() {
	local node=$1 file=$2 kv names="" out
	shift 2
	out=$(sb_node_dir "$node")/$(basename "$file")
	for kv in "$@"; do names+=" \${${kv%%=*}}"; done
	env "$@" envsubst "$names" <"$file" >"$out" || return 1
	# shellcheck disable=SC2016 # a literal ${NAME}
	if grep -n '\${[A-Z_0-9]*}' "$out" >&2; then
		pcmk_err "$file: values missing for the \${NAME}s above"
		return 1
	fi
	pcmk_crm "$node" configure load update "$out"
}

pcmk_crm() {
	local node=$1
	shift
	sb_exec "$node" crm "$@"
}

# End every process left in NODE's network namespace that sandbox.sh did
# not start (resources Pacemaker started and did not stop).
pcmk__sweep() {
	local node=$1 dir pid ours
	dir=$(sb_node_dir "$node")
	ours=" $(cat "$dir"/*.pid 2>/dev/null | tr '\n' ' ') "
	for pid in $(ip netns pids "$(sb_ns "$node")" 2>/dev/null); do
		case $ours in *" $pid "*) continue ;; esac
		kill -9 "$pid" 2>/dev/null || true
	done
}

pcmk__stop_node() {
	local node=$1
	if sb_alive "$node" pacemakerd; then
		SB_TIMEOUT=$PCMK_TIMEOUT sb_stop "$node" pacemakerd TERM || true
	fi
	if sb_alive "$node" corosync; then
		sb_stop "$node" corosync TERM || true
	fi
	pcmk__sweep "$node"
}

pcmk_stop() {
	local pids=() member id node addr
	# Leave the resources as they are (no stops, no moves, no takeovers
	# while members go one by one): the sweep ends them.
	for member in "${PCMK_MEMBERS[@]}"; do
		read -r id node addr <<<"$member"
		sb_alive "$node" pacemakerd || continue
		sb_exec "$node" crm_attribute -t crm_config -n maintenance-mode \
			-v true >/dev/null 2>&1 && break
	done
	for member in "${PCMK_MEMBERS[@]}"; do
		read -r id node addr <<<"$member"
		pcmk__stop_node "$node" &
		pids+=($!)
	done
	[ ${#pids[@]} -eq 0 ] || wait "${pids[@]}" || true
}
