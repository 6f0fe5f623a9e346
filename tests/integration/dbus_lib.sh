# shellcheck shell=bash
# dbus_lib.sh: the scene and the calls of the lockmgr tests (it.dbus_*).
# Source it after it_lib.sh.
#
#   dbus_scene      two UNIFIED nodes on one store: n1 (node 1, NFSv3+4, a
#                   private system bus) and n2 (node 2, NFSv4); clients
#                   A (NFSv4, n1): OPEN f both deny write, LOCK write 0-99
#                   B (NLM, n1):   LOCK read 200-209 of f
#                   C (NFSv4, n2): OPEN g read, LOCK read 0-eof
#                   D (NFSv4, n1): OPEN g both, WRITEW 0-eof: queued
#   lockmgr M ARG.. dbus-send of org.ganesha.nfsd.lockmgr.M on n1
#   ulmctl ARG...   ulmctl inside n1

dbus_scene() {
	it_unified_node n1 3,4 1 dbus=1
	it_unified_node n2 4 2
	it_client_start a n1
	it_client_start b n1
	it_client_start c n2
	it_client_start d n1
	it_expect a "v4 open f both deny write" OK
	it_expect a "v4 lock write 0 100" OK
	it_expect b "nlm lock read 200 10 f" OK
	it_expect c "v4 open g read" OK
	it_expect c "v4 lock read 0 0" OK
	it_expect d "v4 open g both" OK
	it_expect d "v4 lock writew 0 0" "DENIED read 0 0"
}

# lockmgr METHOD ARG...: call the interface on node 1; the reply in OUT
# (dbus-send's print), exit status in RC, and ROWS: one line per struct of
# the reply's array, its fields separated by spaces ("4f0c... write 0 99").
lockmgr() {
	RC=0
	OUT=$(sb_exec n1 dbus-send --system --print-reply \
		--dest=org.ganesha.nfsd /org/ganesha/nfsd/LockMgr \
		"org.ganesha.nfsd.lockmgr.$1" "${@:2}" 2>&1) || RC=$?
	ROWS=$(awk '
		/^      struct {$/ { row = 1; line = ""; next }
		row && /^      }$/ { print substr(line, 2); row = 0; next }
		row && /^ +(string|uint16|uint32|uint64|boolean) / {
			v = $0; sub(/^ +[a-z0-9]+ /, "", v); gsub(/"/, "", v)
			line = line " " v
		}' <<<"$OUT")
}

# ulmctl ARG...: run ulmctl inside n1 (as root, unless ULMCTL_AS=uid).
# Standard output in OUT, standard error in ERR, exit status in RC.
ulmctl() {
	local err=$IT_DIR/ulmctl.err as=()
	[ -z "${ULMCTL_AS:-}" ] ||
		as=(setpriv --reuid="$ULMCTL_AS" --regid="$ULMCTL_AS" --clear-groups)
	RC=0
	OUT=$(sb_exec "${ULMCTL_NODE:-n1}" "${as[@]}" "$ULM_IT_ULMCTL" "$@" \
		2>"$err") || RC=$?
	ERR=$(cat "$err")
}

# expect_literal WHAT EXPECTED ACTUAL: as it_expect_value, without globs
# (messages have brackets).
expect_literal() {
	if [ "$2" = "$3" ]; then
		it_pass "$1: $3"
	else
		printf '# %s\n#   expected: %s\n#   got:      %s\n' "$1" "$2" "$3"
		it_fail "$1"
	fi
}

# ulmctl_expect WHAT RC STDERR ARG...: ulmctl exits RC, saying exactly that.
ulmctl_expect() {
	local what=$1 rc=$2 err=$3
	shift 3
	ulmctl "$@"
	expect_literal "$what: ulmctl $*: exit status" "$rc" "$RC"
	expect_literal "$what: ulmctl $*: stderr" "$err" "$ERR"
}

# id_of REGEX: the id of the one record of `ulmctl records --raw` matching.
id_of() {
	ulmctl records --raw
	grep -E -- "$1" <<<"$OUT" | sed -n 's/.* id=\([0-9a-f]*\)$/\1/p'
}

# ids: the record ids of OUT (ulmctl --raw), sorted.
ids() { sed -n 's/.* id=\([0-9a-f]*\)$/\1/p' <<<"$OUT" | sort; }
