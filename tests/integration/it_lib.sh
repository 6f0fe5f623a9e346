# shellcheck shell=bash
# it_lib.sh: helpers shared by the integration tests. A test does
#
#   . "$(dirname "$0")/it_lib.sh"
#   it_setup NAME            work dir, namespaces prefix, cleanup trap
#   it_unified_node n1 4     a node serving $IT_EXPORT through UNIFIED
#   it_client_start a n1     an ulm-nfs-client driven line by line
#   it_expect a "v4 lock write 0 100" "OK"
#
# Every it_expect* prints what was asked, what was expected and what came
# back; the first mismatch ends the test (exit 1) and names the logs.
#
# Paths come from CMake through the environment:
#   ULM_SANDBOX_LIB  scripts/lib/sandbox.sh     ULM_IT_WORK   work root
#   ULM_IT_CLIENT    ulm-nfs-client             ULM_IT_FSAL   libfsalunified.so
#   ULM_IT_INSPECT   ulmctl (reads the store)   ULM_IT_LOCAL_LOCK ulm-local-lock
#   ULM_IT_ULMCTL    ulmctl (the same)
# An empty path means CMake has no such target: the test fails (a suite
# that skips its integration tests must not pass).
set -euo pipefail

IT_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/sandbox.sh
. "${ULM_SANDBOX_LIB:-$IT_SRC/../../scripts/lib/sandbox.sh}"

IT_REPLY_TIMEOUT=${IT_REPLY_TIMEOUT:-15}
IT_CHECKS=0
IT_REPLY=""
declare -A IT_FD_IN=() IT_FD_OUT=() IT_CLIENT_NODE=()

it_note() { printf '# %s\n' "$*"; }

it_fail() {
	printf 'FAIL: %s\n' "$*"
	exit 1
}

it_pass() {
	IT_CHECKS=$((IT_CHECKS + 1))
	printf 'ok %d - %s\n' "$IT_CHECKS" "$*"
}

# it_need VAR WHAT: fail unless $VAR names an executable file.
it_need() {
	local path=${!1:-}
	[ -n "$path" ] || it_fail "$2 is not part of this build (\$$1 is" \
		"empty): configure with -DULM_WITH_FSAL=ON"
	[ -x "$path" ] || [ -f "$path" ] ||
		it_fail "$2 not found at $path (\$$1): build it first"
}

# A daemon that ended while the test stopped nothing fails the test, even
# one that passed every check (a crash must not pass for a kill).
it__deaths() {
	local deaths node tag status
	deaths=$(sb_unexpected_deaths) || return 0
	while read -r node tag status; do
		if [ "$status" -gt 128 ]; then
			printf '# %s on node %s died of signal %d\n' \
				"$tag" "$node" $((status - 128))
		else
			printf '# %s on node %s exited with status %s\n' \
				"$tag" "$node" "$status"
		fi
	done <<<"$deaths"
	echo "FAIL: a daemon ended that the test did not stop"
	return 1
}

it__exit() {
	local rc=$?
	trap - EXIT
	it__deaths || [ "$rc" != 0 ] || rc=1
	sb_cleanup
	if [ "$rc" = 0 ]; then
		echo "PASS: $IT_NAME ($IT_CHECKS checks, ${SECONDS}s)"
	else
		echo "FAIL: $IT_NAME after $IT_CHECKS checks (${SECONDS}s);" \
			"configs, logs and stores are under $IT_DIR"
	fi
	exit "$rc"
}

# it_setup NAME: fresh work dir ULM_IT_WORK/NAME, namespaces ulmt-NAME-PID.
# With IT_CONTROL=separate_stores (the negative control, control.sh) every
# node gets a lock store of its own, and the work dir is NAME-control.
it_setup() {
	IT_NAME=$1${IT_CONTROL:+-control}
	IT_DIR=${ULM_IT_WORK:-/tmp/ulm-it}/$IT_NAME
	it_need ULM_IT_FSAL "the UNIFIED FSAL (libfsalunified.so)"
	it_need ULM_IT_CLIENT "the test client ulm-nfs-client"
	# shellcheck disable=SC2034 # read by sandbox.sh
	SB_UNIFIED_MODULE=$ULM_IT_FSAL
	rm -rf "$IT_DIR"
	trap it__exit EXIT
	trap 'exit 143' TERM INT HUP
	sb_init "$IT_DIR" "ulmt-$IT_NAME-$$" || it_fail "sandbox init"
	IT_EXPORT=$IT_DIR/export
	IT_STORE=$IT_DIR/store
	mkdir -p "$IT_EXPORT" "$IT_STORE" "$IT_DIR/clients"
	SECONDS=0
	it_note "$IT_NAME: work dir $IT_DIR"
}

# it_node_daemons NODE PROTOCOLS: create NODE; NFSv3/NLM needs rpcbind+statd.
it_node_daemons() {
	sb_node_create "$1" || it_fail "node $1: namespaces"
	case $2 in
	*3*)
		sb_rpcbind_start "$1" || it_fail "node $1: rpcbind"
		sb_statd_start "$1" || it_fail "node $1: rpc.statd"
		;;
	esac
}

# it_unified_node NODE PROTOCOLS [NODE_ID] [CONF_KEY=VALUE...]: a node that
# exports $IT_EXPORT as /export through UNIFIED over VFS, with the LMDB
# store in $IT_STORE; started and out of grace (graceless unless a grace=
# key is given).
it_unified_node() {
	it_node_daemons "$1" "$2"
	it_unified_conf "$@"
	it_ganesha_up "$1"
}

# it_unified_conf NODE PROTOCOLS [NODE_ID] [CONF_KEY=VALUE...]: (re)write
# the config it_unified_node starts NODE with.
it_unified_conf() {
	local node=$1 protocols=$2 id=${3:-1}
	local extra=("${@:4}") grace=(graceless=true)
	case " ${extra[*]} " in *" grace="*) grace=() ;; esac
	local store
	store=$(it_node_store "$IT_STORE" "$node")
	mkdir -p "$store"
	sb_ganesha_conf "$node" protocols="$protocols" lease=4 "${grace[@]}" \
		store=lmdb store_path="$store" node_id="$id" sync=true \
		export="1:$IT_EXPORT:/export:UNIFIED" "${extra[@]}" ||
		it_fail "node $node: config"
}

# it_node_store STORE NODE: the store NODE uses: STORE (an LMDB directory
# or a RADOS namespace), shared by every node; in the negative control
# one of NODE's own (STORE-NODE).
it_node_store() {
	case ${IT_CONTROL:-} in
	"") echo "$1" ;;
	separate_stores) echo "$1-$2" ;;
	*) it_fail "unknown IT_CONTROL '$IT_CONTROL'" ;;
	esac
}

# it_store_conflicts NODE: how many conflicts NODE's UNIFIED was told by
# its lock store (a kernel lock's refusal does not count), from ulmctl
# stats over the node's own bus (the node needs dbus=1).
it_store_conflicts() {
	local out n
	out=$(sb_exec "$1" "$ULM_IT_ULMCTL" stats) ||
		it_fail "node $1: ulmctl stats: $out"
	n=$(awk '$1 == "conflicts" {print $2}' <<<"$out")
	[ -n "$n" ] || it_fail "node $1: no conflicts counter in: $out"
	echo "$n"
}

# it_expect_store_refusal NODE CLIENT COMMAND EXPECTED: as it_expect, and
# NODE's lock store decided the refusal: its conflicts count rose (by one,
# or two where Ganesha asks twice, as NLM LOCK does).
# On one host every node exports the same directory and UNIFIED mirrors
# grants into the kernel, which would refuse a cross-node conflict too:
# the reply alone cannot tell a shared store from a kernel lock.
it_expect_store_refusal() {
	local node=$1 before after
	before=$(it_store_conflicts "$node")
	it_expect "$2" "$3" "$4"
	after=$(it_store_conflicts "$node")
	it_expect_value \
		"node $node's lock store refused it (conflicts $before -> $after)" \
		rose "$( ((after > before)) && echo rose || echo "did not rise")"
}

# it_deleg_nodes PROTOCOLS [CONF_KEY=VALUE...]: nodes n1 and n2 (Node_Id 1
# and 2) sharing $IT_STORE, both offering delegations.
it_deleg_nodes() {
	it_unified_node n1 "$1" 1 delegations=readwrite "${@:2}"
	it_unified_node n2 "$1" 2 delegations=readwrite "${@:2}"
}

# it_ganesha_up NODE: start Ganesha and wait out its grace.
it_ganesha_up() {
	sb_ganesha_start "$1" || it_fail "node $1: ganesha.nfsd did not start"
	sb_ganesha_wait_grace "$1" 30 || it_fail "node $1: grace never ended"
}

# it_proc_start NAME NODE CMD...: run a line-driven program inside NODE,
# fed through FIFOs: one command line in, one reply line out (see it_send).
# Its stderr is in NODE/client-NAME.out.
it_proc_start() {
	local name=$1 node=$2 in out fdin fdout
	shift 2
	in=$IT_DIR/clients/$name.in
	out=$IT_DIR/clients/$name.out
	mkfifo "$in" "$out"
	# Opened read-write: neither open blocks, and a dead program shows
	# as a read timeout, never as a hang or SIGPIPE.
	exec {fdin}<>"$in" {fdout}<>"$out"
	IT_FD_IN[$name]=$fdin
	IT_FD_OUT[$name]=$fdout
	IT_CLIENT_NODE[$name]=$node
	SB_SPAWN_IN=$in SB_SPAWN_OUT=$out sb_spawn "$node" "client-$name" "$@" ||
		it_fail "$name: could not start $1"
}

# it_client_start CLIENT NODE [EXPORT [OPTION...]]: an ulm-nfs-client
# inside NODE (the server is 127.0.0.1 there), one NFSv4 client and NLM
# caller; OPTIONs are passed on (e.g. --callback).
it_client_start() {
	it_proc_start "$1" "$2" "$ULM_IT_CLIENT" --server 127.0.0.1 \
		--export "${3:-/export}" --name "ulmt-$1-$$" --lease-renew 1 \
		"${@:4}"
}

declare -A IT_HOST_ADDR=() IT_HOST_SERVER=()

# it_client_host HOST NODE ADDR NODE_ADDR: an NFS client host of its own,
# as NFSv3 clients are: network namespace HOST linked to NODE (HOST at
# ADDR, NODE at NODE_ADDR) with its own rpcbind, where its NLM client's
# GRANTED service registers for the server to find.
it_client_host() {
	sb_node_create "$1" || it_fail "host $1: namespaces"
	sb_node_link "$1" "$2" "$3" "$4" || it_fail "host $1: link to $2"
	sb_rpcbind_start "$1" || it_fail "host $1: rpcbind"
	IT_HOST_ADDR[$1]=$3
	IT_HOST_SERVER[$1]=$4
}

# it_nlm_client_start CLIENT HOST: the client of host HOST (see
# it_client_host): it reaches its node at the link's address, its NLM
# caller name is HOST's address, and it serves NLM GRANTED_MSG.
it_nlm_client_start() {
	it_proc_start "$1" "$2" "$ULM_IT_CLIENT" \
		--server "${IT_HOST_SERVER[$2]}" --export /export \
		--name "ulmt-$1-$$" --caller-name "${IT_HOST_ADDR[$2]}" \
		--nlm-callback --lease-renew 1
}

# it_client_stop CLIENT: end a client (e.g. one whose server went away).
it_client_stop() {
	sb_stop "${IT_CLIENT_NODE[$1]}" "client-$1" TERM || true
}

# it_now_ms: the wall clock in ms, in IT_NOW_MS (no process started).
it_now_ms() {
	IT_NOW_MS=${EPOCHREALTIME/./}
	IT_NOW_MS=${IT_NOW_MS:0:-3}
}

# it_journal CLIENT SENT_MS COMMAND: log COMMAND and its answer IT_REPLY,
# answered now, for it_grant_check.
it_journal() {
	it_now_ms
	printf '%s\t%s\t%s\t%s\t%s\n' "$2" "$IT_NOW_MS" "$1" "$3" \
		"$IT_REPLY" >>"$IT_DIR/journal"
}

# it_send CLIENT COMMAND: one command, its reply in IT_REPLY.
it_send() {
	local client=$1 cmd=$2 node sent
	node=${IT_CLIENT_NODE[$client]}
	it_now_ms
	sent=$IT_NOW_MS
	printf '%s\n' "$cmd" >&"${IT_FD_IN[$client]}"
	if ! IFS= read -r -t "$IT_REPLY_TIMEOUT" -u "${IT_FD_OUT[$client]}" \
		IT_REPLY; then
		echo "---- stderr of client $client ----"
		tail -n 20 "$(sb_node_dir "$node")/client-$client.out" || true
		it_fail "client $client: no reply to '$cmd' within ${IT_REPLY_TIMEOUT}s"
	fi
	it_journal "$client" "$sent" "$cmd"
}

# it_grant_check [--silent CLIENTS --lease SECONDS]: by every answer the
# test's clients got (it_journal), no two of them ever held conflicting
# locks or opens at the same time (tools/grant_check.py; CLIENTS renew
# nothing, their state may end a lease after their last answer).
it_grant_check() {
	local out
	if ! out=$(python3 "$IT_SRC/tools/grant_check.py" "$IT_DIR/journal" "$@"); then
		printf '%s\n' "$out" | sed 's/^/# /'
		it_fail "two clients held conflicting grants at once"
	fi
	it_pass "${out##*$'\n'}"
}

# it_expect CLIENT COMMAND EXPECTED: EXPECTED is a glob ("DENIED write 0 100 *").
it_expect() {
	local client=$1 cmd=$2 want=$3
	it_send "$client" "$cmd"
	# shellcheck disable=SC2053 # glob match on purpose
	if [[ $IT_REPLY == $want ]]; then
		it_pass "[$client] $cmd -> $IT_REPLY"
	else
		printf '# [%s] %s\n#   expected: %s\n#   got:      %s\n' \
			"$client" "$cmd" "$want" "$IT_REPLY"
		it_fail "[$client] $cmd"
	fi
}

# it_expect_within SECONDS CLIENT COMMAND EXPECTED: as it_expect, sending
# COMMAND again (every 0.2 s) until the reply matches or SECONDS pass.
it_expect_within() {
	local limit=$1 client=$2 cmd=$3 want=$4 deadline=$((SECONDS + $1))
	it_send "$client" "$cmd"
	# shellcheck disable=SC2053 # glob match on purpose
	while [[ $IT_REPLY != $want ]] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.2
		it_send "$client" "$cmd"
	done
	it_expect_value "[$client] $cmd (within ${limit}s)" "$want" "$IT_REPLY"
}

# it_expect_value WHAT EXPECTED ACTUAL: compare two values a user sees.
it_expect_value() {
	# shellcheck disable=SC2053
	if [[ $3 == $2 ]]; then
		it_pass "$1: $3"
	else
		printf '# %s\n#   expected: %s\n#   got:      %s\n' "$1" "$2" "$3"
		it_fail "$1"
	fi
}

# it_store_list: every record of $IT_STORE, read without Ganesha, one line
# each: "file=KEY type=T start=N end=N|eof [access=.. deny=..] proto=P
# kind=K node=N epoch=N client=.. owner=.. [expires=MS] id=ID" (ulmctl --raw).
it_store_list() {
	"$ULM_IT_INSPECT" --store "$IT_STORE" --raw records ||
		it_fail "ulmctl could not read $IT_STORE"
}

# it__count REGEX TEXT: how many lines of TEXT match REGEX.
it__count() { grep -cE -- "$1" <<<"$2" || true; }

# it_store_count REGEX: how many listed locks match REGEX.
it_store_count() {
	local listing
	listing=$(it_store_list) || exit 1
	it__count "$1" "$listing"
}

# it_expect_store WHAT REGEX N: exactly N stored locks match REGEX.
it_expect_store() {
	local what=$1 regex=$2 want=$3 got listing line
	listing=$(it_store_list) || exit 1
	got=$(it__count "$regex" "$listing")
	if [ "$got" = "$want" ]; then
		it_pass "store: $what ($want x /$regex/)"
	else
		printf '# store: %s: locks matching /%s/\n#   expected: %s\n#   got:      %s\n' \
			"$what" "$regex" "$want" "$got"
		printf '# listing of %s:\n' "$IT_STORE"
		while IFS= read -r line; do
			printf '#   %s\n' "$line"
		done <<<"${listing:-(empty)}"
		it_fail "store: $what"
	fi
}

# it_expect_store_within SECONDS WHAT REGEX N: as it_expect_store, polling.
it_expect_store_within() {
	local limit=$1 deadline=$((SECONDS + $1))
	shift
	while [ "$(it_store_count "$2")" != "$3" ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.2
	done
	it_expect_store "$1 (within ${limit}s)" "$2" "$3"
}

# it_expect_log NODE WHAT REGEX: Ganesha's log since its last start matches.
it_expect_log() {
	local node=$1 what=$2 regex=$3 line
	line=$(sb_ganesha_log_since_start "$node" | grep -E -m 1 -- "$regex" || true)
	if [ -n "$line" ]; then
		# Drop Ganesha's "date : epoch : host : thread func :COMPONENT :LEVEL :".
		line=$(sed -E 's/^.* :(FATAL|MAJ|CRIT|WARN|EVENT|INFO|DEBUG|M_DBG|F_DBG) ://' <<<"$line")
		it_pass "log of $node: $what: $line"
	else
		printf '# log of %s: %s\n#   expected a line matching: %s\n#   got: none\n' \
			"$node" "$what" "$regex"
		sb_log_tail "$node" 40 2>&1 | sed 's/^/# /'
		it_fail "log of $node: $what"
	fi
}

# it_local_lock ARGS...: run ulm-local-lock once; its one line in IT_REPLY.
it_local_lock() {
	IT_REPLY=$("$ULM_IT_LOCAL_LOCK" "$@") || true
}
