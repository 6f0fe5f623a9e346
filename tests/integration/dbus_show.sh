#!/usr/bin/env bash
# it.dbus_show: the org.ganesha.nfsd.lockmgr DBus interface of a real
# Ganesha (UNIFIED over VFS, a private system bus in its node) lists what
# real clients hold through two nodes: byte-range locks (NFSv4, NLM),
# share reservations, a queued waiter, clients and nodes, per-file detail
# and statistics, with every filter. Bad arguments get a DBus error that
# names the problem and change nothing; a non-root caller is refused by
# the policy. Calls are made with dbus-send, as an operator would.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/dbus_lib.sh
. "$IT_SRC/dbus_lib.sh"
it_setup dbus_show

dbus_scene

# expect_rows WHAT METHOD FILTER REGEX N: N rows of the listing match.
expect_rows() {
	lockmgr "$2" "dict:string:string:$3"
	[ "$RC" = 0 ] || it_fail "$2 {$3}: $OUT"
	it_expect_value "$1: $2 {$3}: rows matching /$4/" "$5" \
		"$(it__count "$4" "$ROWS")"
}

# expect_error WHAT METHOD [ARG] MESSAGE: an InvalidArgs error, verbatim.
expect_error() {
	lockmgr "$2" "${@:3:$#-3}"
	it_expect_value "$1" \
		"Error org.freedesktop.DBus.Error.InvalidArgs: ${*: -1}" "$OUT"
}

# Fields of a record row: id file path export type start end access deny
# expires(s ns) reclaim protocol kind node epoch client owner.
A="ulmt-a-$$"
it_note "introspection lists every method"
OUT=$(sb_exec n1 dbus-send --system --print-reply --dest=org.ganesha.nfsd \
	/org/ganesha/nfsd/LockMgr org.freedesktop.DBus.Introspectable.Introspect)
for m in ShowLocks ShowShares ShowDelegations ShowWaiters ShowFile \
	ShowClients ShowNodes ShowStats BreakLock RevokeShare \
	RecallDelegation RevokeDelegation; do
	it_expect_value "method $m" 1 "$(it__count "<method name=\"$m\">" "$OUT")"
done

it_note "listings, cluster-wide, with filters"
expect_rows "A's lock: path, export, range, owner" ShowLocks "" \
	"^[0-9a-f]{12} [0-9a-f]+ $IT_EXPORT/f 1 write 0 99 none none 0 0 false nfs4 lock 1 [0-9]+ $A lo1$" 1
expect_rows "B's NLM lock" ShowLocks "" \
	" $IT_EXPORT/f 1 read 200 209 .* nlm lock 1 [0-9]+ ulmt-b-$$ " 1
expect_rows "C's lock through node 2, to EOF" ShowLocks "" \
	" $IT_EXPORT/g 1 read 0 18446744073709551615 .* nfs4 lock 2 " 1
expect_rows "every lock" ShowLocks "" . 3
expect_rows "NLM only" ShowLocks 'protocol,nlm' " nlm " 1
expect_rows "NLM only" ShowLocks 'protocol,nlm' . 1
expect_rows "node 2 only" ShowLocks 'node,2' " nfs4 lock 2 " 1
expect_rows "node 2 only" ShowLocks 'node,2' . 1
expect_rows "client A" ShowLocks "client,$A" " $A lo1$" 1
expect_rows "client A" ShowLocks "client,$A" . 1
expect_rows "file f by path" ShowLocks "path,$IT_EXPORT/f" " $IT_EXPORT/f " 2
expect_rows "file f by path" ShowLocks "path,$IT_EXPORT/f" . 2
expect_rows "export 1" ShowLocks 'export,1' . 3
expect_rows "two criteria" ShowLocks \
	"path,$IT_EXPORT/g,protocol,nfs4" " read 0 " 1
lockmgr ShowLocks "dict:string:string:path,$IT_EXPORT/f"
file=$(awk 'NR == 1 {print $2}' <<<"$ROWS")
expect_rows "file f by key" ShowLocks "file,$file" "^[0-9a-f]{12} $file " 2
expect_rows "shares" ShowShares "" " share 0 18446744073709551615 " 3
expect_rows "A's share denies write" ShowShares "client,$A" \
	" $IT_EXPORT/f 1 share .* rw w 0 0 false nfs4 open 1 " 1
expect_rows "shares of node 2" ShowShares 'node,2' " r none .* nfs4 open 2 " 1
expect_rows "D waits" ShowWaiters "" \
	" $IT_EXPORT/g 1 wait-write 0 18446744073709551615 none none [1-9][0-9]+ [0-9]+ false nfs4 lock 1 [0-9]+ ulmt-d-$$ lo1$" 1
expect_rows "no delegations" ShowDelegations "" . 0

it_note "per-file detail"
lockmgr ShowFile "string:$IT_EXPORT/f"
it_expect_value "ShowFile by path: key, path, export" "$file $IT_EXPORT/f 1" \
	"$(sed -n 's/^   \(string\|uint16\) "\{0,1\}\([^"]*\)"\{0,1\}$/\2/p' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')"
it_expect_value "ShowFile: A's lock, B's NLM lock, A's share" \
	"share write read" "$(awk '{print $5}' <<<"$ROWS" | tr '\n' ' ' | sed 's/ $//')"
lockmgr ShowFile "string:$file"
it_expect_value "ShowFile by key: the same records" \
	"share write read" "$(awk '{print $5}' <<<"$ROWS" | tr '\n' ' ' | sed 's/ $//')"

it_note "clients and nodes"
expect_rows "client A: a lock and a share" ShowClients "" "^nfs4 $A 1 1 1 0 0$" 1
expect_rows "client B: an NLM lock" ShowClients "" "^nlm ulmt-b-$$ 1 1 0 0 0$" 1
expect_rows "client C through node 2" ShowClients "" "^nfs4 ulmt-c-$$ 2 1 1 0 0$" 1
expect_rows "client D: a share, a waiter" ShowClients "" "^nfs4 ulmt-d-$$ 1 0 1 0 1$" 1
expect_rows "NLM clients" ShowClients 'protocol,nlm' . 1
lockmgr ShowNodes
# After "local": the lease, 1 = live (enum ulmv_lease), and its end as the
# node recorded it (0: LMDB records none).
it_expect_value "nodes: 1 (this one: live, 2 locks, 2 shares, 1 waiter) and 2 (live)" \
	"1 E true 1 0 2 2 0 1, 2 E false 1 0 1 1 0 0" \
	"$(sed -E 's/^([0-9]+) [0-9]+ /\1 E /' <<<"$ROWS" | paste -sd, | sed 's/,/, /g')"

it_note "statistics"
lockmgr ShowStats
it_expect_value "lock ops counted (A, B, D twice)" yes \
	"$(awk '$1 == "lock" {print ($2 >= 3 ? "yes" : "no")}' <<<"$ROWS")"
it_expect_value "conflicts counted (D)" yes \
	"$(awk '$1 == "conflicts" {print ($2 >= 1 ? "yes" : "no")}' <<<"$ROWS")"
it_expect_value "latency: 24 log2 buckets, the last one open" \
	"24 18446744073709551615" \
	"$(awk '$1 ~ /^[0-9]+$/ {n++; last = $1} END {print n, last}' <<<"$ROWS")"
it_expect_value "latency: every store call in a bucket" yes \
	"$(awk '$1 == "store_calls" {calls = $2} $1 ~ /^[0-9]+$/ {sum += $2}
		END {print (sum == calls && calls > 0 ? "yes" : "no")}' <<<"$ROWS")"

it_note "bad arguments: a DBus error, nothing changed"
expect_error "unknown filter" ShowLocks 'dict:string:string:colour,red' \
	"unknown filter 'colour' (file, path, export, client, protocol, node)"
expect_error "bad protocol" ShowLocks 'dict:string:string:protocol,ftp' \
	"protocol must be nlm, nfs4, smb, local or 9p, not 'ftp'"
expect_error "bad node" ShowLocks 'dict:string:string:node,-1' \
	"node must be a number from 0 to 4294967295, not '-1'"
expect_error "not a UNIFIED export" ShowLocks 'dict:string:string:export,99' \
	"export 99 is not a UNIFIED export"
expect_error "bad file key" ShowLocks 'dict:string:string:file,xyz' \
	"file must be a file key in hex (2 to 512 digits), not 'xyz'"
expect_error "relative path" ShowLocks 'dict:string:string:path,f' \
	"path must be absolute, not 'f'"
expect_error "path leaving the export" ShowLocks \
	"dict:string:string:path,$IT_EXPORT/../x" \
	"path $IT_EXPORT/../x: not a clean absolute path"
expect_error "no such file" ShowLocks \
	"dict:string:string:path,$IT_EXPORT/nope" \
	"path $IT_EXPORT/nope: no such file in a UNIFIED export"
expect_error "wrong argument type" ShowLocks string:x \
	"expected one argument of type a{ss} (filters)"
expect_error "ShowFile without argument" ShowFile \
	"expected one argument of type s (a path or a file key in hex)"
expect_error "ShowNodes with an argument" ShowNodes string:x \
	"ShowNodes takes no arguments"
expect_rows "still every lock" ShowLocks "" . 3
expect_rows "still every share" ShowShares "" . 3
expect_rows "still the waiter" ShowWaiters "" . 1

it_note "the policy: root only"
OUT=$(sb_exec n1 setpriv --reuid=65534 --regid=65534 --clear-groups \
	dbus-send --system --print-reply --dest=org.ganesha.nfsd \
	/org/ganesha/nfsd/LockMgr org.ganesha.nfsd.lockmgr.ShowNodes 2>&1 || true)
it_expect_value "uid 65534 is refused" \
	"Error org.freedesktop.DBus.Error.AccessDenied: *interface=\"org.ganesha.nfsd.lockmgr\" member=\"ShowNodes\"*" \
	"$OUT"
