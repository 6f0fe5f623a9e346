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
#   pc_logged NODE ganesha|pacemaker ERE  NODE's log has a line matching
#                         ERE (grep -q on the file: a pipe into grep -q
#                         fails under pipefail when grep leaves early)
#   pc_pid NODE           NODE's ganesha.nfsd pid
#   pc_fenced NODE [TEXT] stonith_admin --history NODE (on nfs2) shows a
#                         successful off or reboot of NODE (and TEXT)
#   pc_fenced_and_moved   Pacemaker itself (not stonith_admin) fenced nfs1
#                         and started ip-nfs1 on nfs2, each within 60 s
#   pc_move_nfs1_to_nfs2  crm resource move ip-nfs1 nfs2; crm_mon -1 shows
#                         it started there within 60 s (PC_T0, PC_MOVED_MS:
#                         when asked, how long it took) and Ganesha still on
#                         all three
#
# The planned moves' NLM clients (it.pcmk_move, it.pcmk_standby):
#
#   pc_nlm_locks CL [reclaim|unlock]  CL's PC_FILES x PC_LOCKS NLM lock
#                         commands: files mv-CL-F, ranges [10 i, 10 i + 4]
#   pc_moved_without_takeover  ip-nfs1 left nfs1 (its NLM clients
#                         forgotten there) and nfs2 took nothing over
#   pc_nlm_reclaim ADDR CL...  each CL reclaims them through ADDR once
#                         notified from it: every reclaim granted
#   pc_probes_start       in the background, client c (nfs3) tries a lock
#                         inside a's or b's, client p (the moved address)
#                         tests b's first lock, until pc_probes_end
#   pc_probes_end [MS]    c was granted nothing and was only DENIED, p was
#                         only DENIED (or its connection broke once as the
#                         address moved); PC_PAUSE: p's longest pause (ms).
#                         With MS, p may also be refused for Ganesha's grace
#                         (NLM TEST: nlm_Test.c:82) for at most MS ms in
#                         all, PC_GRACE_MS: first to last such answer
#
# The planned moves' NFSv4 clients (it.pcmk_move_v4, it.pcmk_standby):
#
#   pc_v4_holders V40 V41 C H  clients V40, V41 and C on new hosts hH,
#                         hH+1, hH+2: NFSv4.0 client V40 opens mv4-1 (deny
#                         write) and mv4-2 and locks 3 ranges in them,
#                         NFSv4.1 client V41 opens mv41 and locks 2, all
#                         through nfs1's address; checker C (through nfs3)
#                         opens mv4-2 and mv41
#   pc_v4_checker_start   in the background C tries a lock inside V40's on
#                         mv4-2 and inside V41's on mv41 and an open of
#                         mv4-1 for writing, until pc_v4_checker_end
#   pc_v4_checker_end     C was granted none of them and refused only
#                         DENIED or NFS4ERR_SHARE_DENIED; nobody was ever
#                         answered NFS4ERR_GRACE
#   pc_v4_recover CL...   each CL, through the address's new node, does
#                         what Linux's "nograce" recovery does: its OPEN
#                         CLAIM_PREVIOUS is NFS4ERR_NO_GRACE, its new opens
#                         and locks of the same owners are OK and its
#                         records are node 2's (PC_V4_BACK_MS: when the
#                         last was answered)
#   pc_v4_release         V40 and V41 unlock and close through nfs2: C is
#                         granted each range and the open once let go
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

pc_logged() {
	local file
	case $2 in
	ganesha) file=$(sb_node_dir "$1")/log-ganesha/ganesha.log ;;
	pacemaker) file=$(pcmk__dir "$1")/log-pacemaker/pacemaker.log ;;
	esac
	grep -Eq -- "$3" "$file" 2>/dev/null
}

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

pc_fenced_and_moved() {
	sb_wait_until 60 eval "sb_exec nfs2 stonith_admin --history nfs1 2>&1 |
		grep -Eq '(off|reboot) of nfs1 successful'" || true
	# Asked by Pacemaker (its controller, or a fencer relaying for it),
	# not by stonith_admin (client=stonith_admin.PID).
	pc_fenced nfs1 client=pacemaker-
	sb_wait_until 60 pc_placed ip-nfs1 nfs2 || {
		pc_status
		it_fail "Pacemaker did not move ip-nfs1 to nfs2"
	}
}

pc_move_nfs1_to_nfs2() {
	it_now_ms
	PC_T0=$IT_NOW_MS
	sb_exec nfs1 crm resource move ip-nfs1 nfs2 >/dev/null 2>&1 ||
		it_fail "crm resource move ip-nfs1 nfs2"
	sb_wait_until 60 pc_placed ip-nfs1 nfs2 || {
		pc_status
		it_fail "Pacemaker did not move ip-nfs1 to nfs2"
	}
	it_now_ms
	PC_MOVED_MS=$((IT_NOW_MS - PC_T0))
	it_pass "crm_mon -1: ip-nfs1 started on nfs2 $PC_MOVED_MS ms after crm resource move"
	pc_ganesha_on nfs1 nfs2 nfs3 || {
		pc_status
		it_fail "crm_mon -1: Ganesha not started on all three"
	}
	it_pass "crm_mon -1: Ganesha still started on nfs1 nfs2 nfs3"
}

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

PC_FILES=2
PC_LOCKS=20

pc_nlm_locks() {
	local op="lock write" suffix="" f i
	case ${2:-} in
	reclaim) suffix=" reclaim" ;;
	unlock) op=unlock ;;
	esac
	for f in $(seq 1 "$PC_FILES"); do
		for i in $(seq 0 $((PC_LOCKS - 1))); do
			echo "nlm $op $((i * 10)) 5 mv-$1-$f$suffix"
		done
	done
}

# pc_moved_without_takeover: Pacemaker's logs say nfs1's stop of ip-nfs1
# forgot its 2 NLM clients and nfs2's start found the address released,
# so took nothing over.
pc_moved_without_takeover() {
	local a line
	a=$(pc_ip 1)
	line=$(grep -o "left $a: [0-9]* of [0-9]* NLM clients forgotten here" \
		"$(pcmk__dir nfs1)/log-pacemaker/pacemaker.log" | tail -n 1)
	it_expect_value "nfs1's stop of ip-nfs1" "left $a: 2 of 2 NLM clients forgotten here" "$line"
	pc_logged nfs2 pacemaker "move: $a was released by its last node: no takeover" ||
		it_fail "nfs2's start of ip-nfs1 took node 1 over"
	it_pass "nfs2's start of ip-nfs1: released by its last node, no takeover"
}

# pc_nlm_reclaim ADDR CL...: each CL, once ADDR's SM_NOTIFY came, reclaims
# its pc_nlm_locks through ADDR (in parallel): every reclaim granted.
pc_nlm_reclaim() {
	local addr=$1 cl
	shift
	for cl in "$@"; do
		fo_nsm_notified "$cl" "$addr"
		fo_send "$cl" < <(pc_nlm_locks "$cl" reclaim)
	done
	for cl in "$@"; do fo_expect_all "$cl" OK; done
}

# pc_nlm_holders: the cluster up, client hosts h101..h105; NLM clients a
# and b (listening for SM_NOTIFY) take PC_FILES x PC_LOCKS locks each
# through nfs1's address $A; c (the checker, through nfs3) and p (the
# prober, through $A) are started for pc_probes_start. HELD: their count.
pc_nlm_holders() {
	local h cl
	pc_cluster
	pc_up
	for h in 101 102 103 104 105; do fo_host "h$h" "$h"; done
	fo_client a h101 "$A" --nsm-listen
	fo_client b h102 "$A" --nsm-listen
	fo_client c h103 "$(pc_ip 3)"
	fo_client p h104 "$A"
	HELD=$((2 * PC_FILES * PC_LOCKS))
	for cl in a b; do fo_send "$cl" < <(pc_nlm_locks "$cl"); done
	for cl in a b; do fo_expect_all "$cl" OK; done
	it_expect_store "$HELD NLM locks held through nfs1" \
		'type=write .*node=1 .*client=ulmt-[ab]-' "$HELD"
}

# One line per call: TIME ASKED_MS ANSWERED_MS WHO REPLY.
pc__probe() {
	local client=$1 n=0 cl f off cmd sent
	# Until told to stop, or the test ended (failed).
	while [ ! -e "$IT_DIR/probe.stop" ] && kill -0 $$ 2>/dev/null; do
		n=$((n + 1))
		cl=$([ $((n % 2)) = 0 ] && echo a || echo b)
		f=$((n % PC_FILES + 1))
		off=$((((n * 7) % PC_LOCKS) * 10))
		cmd="nlm lock write $((off + 2)) 1 mv-$cl-$f"
		[ "$client" = c ] || cmd="nlm test write 0 5 mv-b-1"
		it_now_ms
		sent=$IT_NOW_MS
		fo__probe_send "$client" "$cmd"
		it_journal "$client" "$sent" "$cmd"
		echo "$sent $IT_NOW_MS $client $IT_REPLY"
		[ "$client" != c ] || [ "$IT_REPLY" != OK ] ||
			fo__probe_send c "nlm unlock $((off + 2)) 1 mv-$cl-$f"
	done
}

pc_probes_start() {
	pc__probe c >"$IT_DIR/checker.log" 2>&1 &
	PC_CHECKER=$!
	pc__probe p >"$IT_DIR/prober.log" 2>&1 &
	PC_PROBER=$!
	sleep 1
}

pc_probes_end() {
	local grace_limit=${1:-} granted tried odd denied answered
	touch "$IT_DIR/probe.stop"
	wait "$PC_CHECKER" "$PC_PROBER" || it_fail "a prober failed"
	granted=$(grep -c ' OK$' "$IT_DIR/checker.log" || true)
	tried=$(wc -l <"$IT_DIR/checker.log")
	it_expect_value "conflicting locks granted through nfs3, of $tried tried" 0 "$granted"
	denied=' (DENIED write [0-9]+ [0-9]+( [0-9]+)?|ERR NLM4_DENIED)$'
	odd=$(grep -Ev "$denied" "$IT_DIR/checker.log" || true)
	it_expect_value "checker answers other than DENIED (grace, timeouts)" "" "$odd"
	# The prober's connection to the address breaks when it moves (the
	# test client does not retransmit as a kernel's lockd does: it answers
	# RPC_ERROR and the next call connects to the new node); anything else
	# is odd.
	answered=$denied
	if [ -n "$grace_limit" ]; then
		answered=' (DENIED write [0-9]+ [0-9]+( [0-9]+)?|ERR NLM4_DENIED|ERR NLM4_DENIED_GRACE_PERIOD)$'
		PC_GRACE_MS=$(awk '/ NLM4_DENIED_GRACE_PERIOD$/ {
			if (!first) first = $2; last = $2 }
			END { print last - first }' "$IT_DIR/prober.log")
		it_pass "prober of the address: refused for Ganesha's grace $(grep -c GRACE_PERIOD "$IT_DIR/prober.log") times within $PC_GRACE_MS ms"
		[ "$PC_GRACE_MS" -le "$grace_limit" ] ||
			it_fail "Ganesha's grace refused the prober for $PC_GRACE_MS ms (> $grace_limit)"
	fi
	odd=$(grep -Ev "$answered| ERR RPC_ERROR$" "$IT_DIR/prober.log" || true)
	it_expect_value "prober answers other than DENIED${grace_limit:+, grace} or a broken connection" "" "$odd"
	# The pause a client saw: the longest time between two answers.
	PC_PAUSE=$(grep -E "$answered" "$IT_DIR/prober.log" | awk 'NR > 1 {
		gap = $2 - prev; if (gap > max) max = gap } { prev = $2 }
		END { print max + 0 }')
	it_pass "prober of the address: $(grep -Ec "$answered" "$IT_DIR/prober.log") NLM TESTs answered ($(grep -c RPC_ERROR "$IT_DIR/prober.log") broken connections), longest pause between two answers $PC_PAUSE ms"
	[ "$PC_PAUSE" -lt 10000 ] || it_fail "the prober waited $PC_PAUSE ms for an answer"
}

# The NFSv4 clients' locks: CL's lock commands (with " reclaim" after a
# move), how many opens it recovers.
pc__v40_locks() {
	echo "v4 file mv4-1"
	echo "v4 lock write 0 5${1:-}"
	echo "v4 lock write 10 5${1:-}"
	echo "v4 file mv4-2"
	echo "v4 lock write 0 5${1:-}"
}
pc__v41_locks() {
	echo "v4 file mv41"
	echo "v4 lock write 0 5${1:-}"
	echo "v4 lock write 20 5${1:-}"
}
declare -A PC_V4_LOCKS PC_V4_OPENS

pc_v4_holders() {
	local h=$4 i
	PC_V40=$1 PC_V41=$2 PC_V4C=$3
	for i in 0 1 2; do fo_host "h$((h + i))" "$((h + i))"; done
	fo_client "$1" "h$h" "$(pc_ip 1)"
	fo_client "$2" "h$((h + 1))" "$(pc_ip 1)" --minor 1
	fo_client "$3" "h$((h + 2))" "$(pc_ip 3)"
	PC_V4_LOCKS=([$1]=pc__v40_locks [$2]=pc__v41_locks)
	PC_V4_OPENS=([$1]=2 [$2]=1)
	it_expect "$1" "v4 open mv4-1 both deny write" OK
	it_expect "$1" "v4 open mv4-2 both" OK
	it_expect "$2" "v4 open mv41 both" OK
	fo_send "$1" < <(pc__v40_locks)
	fo_send "$2" < <(pc__v41_locks)
	fo_expect_all "$1" OK
	fo_expect_all "$2" OK
	it_expect_store "$1's and $2's 5 NFSv4 locks held through nfs1" \
		"type=write .*proto=nfs4 .*node=1 .*client=ulmt-[$1$2]-" 5
	it_expect_store "$1's and $2's 3 opens held through nfs1" \
		"type=share .*proto=nfs4 .*node=1 .*client=ulmt-[$1$2]-" 3
	it_expect "$3" "v4 open mv4-2 both" OK
	it_expect "$3" "v4 open mv41 both" OK
}

pc__v4_probe() {
	local cmd sent
	while [ ! -e "$IT_DIR/v4probe.stop" ] && kill -0 $$ 2>/dev/null; do
		for cmd in "v4 file mv4-2" "v4 lock write 2 1" "v4 file mv41" \
			"v4 lock write 22 1" "v4 open mv4-1 write"; do
			it_now_ms
			sent=$IT_NOW_MS
			fo__probe_send "$PC_V4C" "$cmd"
			it_journal "$PC_V4C" "$sent" "$cmd"
			echo "$sent $cmd -> $IT_REPLY"
		done
		sleep 0.05
	done
}

pc_v4_checker_start() {
	pc__v4_probe >"$IT_DIR/v4checker.log" 2>&1 &
	PC_V4_CHECKER=$!
}

pc_v4_checker_end() {
	local log=$IT_DIR/v4checker.log tried
	touch "$IT_DIR/v4probe.stop"
	wait "$PC_V4_CHECKER" || it_fail "the NFSv4 checker failed"
	tried=$(wc -l <"$log")
	it_expect_value "NFSv4 locks granted to $PC_V4C inside $PC_V40's and $PC_V41's, of $tried calls" 0 \
		"$(grep -Ec 'lock write 22? 1 -> OK$' "$log" || true)"
	it_expect_value "opens of mv4-1 for writing granted to $PC_V4C" 0 \
		"$(grep -c 'open mv4-1 write -> OK$' "$log" || true)"
	it_expect_value "$PC_V4C's answers other than OK, DENIED, SHARE_DENIED" "" \
		"$(grep -Ev -- '-> (OK|DENIED write [0-9]+ [0-9]+( [0-9]+)?|ERR NFS4ERR_SHARE_DENIED)$' "$log" || true)"
	it_expect_value "NFS4ERR_GRACE answers to anyone" 0 \
		"$(cat "$log" "$IT_DIR/journal" | grep -c NFS4ERR_GRACE || true)"
}

pc_v4_recover() {
	local cl locks
	for cl in "$@"; do fo_send "$cl" < <("${PC_V4_LOCKS[$cl]}" " reclaim"); done
	for cl in "$@"; do fo_expect_all "$cl" OK; done
	it_now_ms
	PC_V4_BACK_MS=$IT_NOW_MS
	for cl in "$@"; do
		it_expect_value "[$cl] OPEN CLAIM_PREVIOUS through nfs2: NFS4ERR_NO_GRACE, opened anew" \
			"${PC_V4_OPENS[$cl]}" \
			"$(grep -c 'no grace here: opening anew' "$(sb_node_dir "${IT_CLIENT_NODE[$cl]}")/client-$cl.out")"
		locks=$("${PC_V4_LOCKS[$cl]}" | grep -c lock)
		it_expect_store "$cl's $locks locks, now nfs2's" \
			"type=write .*proto=nfs4 .*node=2 .*client=ulmt-$cl-" "$locks"
		it_expect_store "$cl's ${PC_V4_OPENS[$cl]} opens, now nfs2's" \
			"type=share .*proto=nfs4 .*node=2 .*client=ulmt-$cl-" "${PC_V4_OPENS[$cl]}"
	done
}

pc_v4_release() {
	local a=$PC_V40 b=$PC_V41 c=$PC_V4C
	it_expect "$a" "v4 file mv4-2" OK
	it_expect "$a" "v4 unlock 0 5" OK
	it_expect "$c" "v4 file mv4-2" OK
	it_expect "$c" "v4 lock write 2 1" OK
	it_expect "$c" "v4 unlock 2 1" OK
	it_expect "$a" "v4 file mv4-1" OK
	it_expect "$a" "v4 unlock 0 5" OK
	it_expect "$a" "v4 unlock 10 5" OK
	it_expect "$a" "v4 close" OK
	it_expect "$c" "v4 open mv4-1 write" OK
	it_expect "$b" "v4 unlock 0 5" OK
	it_expect "$b" "v4 unlock 20 5" OK
	it_expect "$c" "v4 file mv41" OK
	it_expect "$c" "v4 lock write 22 1" OK
}
