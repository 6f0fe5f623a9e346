#!/usr/bin/env bash
# it.dbus_ulmctl: ulmctl, over DBus to a real Ganesha holding real
# clients' locks, and reading the LMDB store with no Ganesha at all:
# aligned tables, JSON (parsed), KEY=VALUE lines, filters, columns, every
# command; usage errors exit 2, failures exit 1, each with a message on
# stderr; what the two sources list is the same records (same ids).
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
# shellcheck source=tests/integration/dbus_lib.sh
. "$IT_SRC/dbus_lib.sh"
it_setup dbus_ulmctl
it_need ULM_IT_ULMCTL "ulmctl"
dbus_scene
A="ulmt-a-$$" B="ulmt-b-$$" C="ulmt-c-$$" D="ulmt-d-$$"

# squeeze: a table with runs of blanks as one space.
squeeze() { tr -s ' ' <<<"$OUT"; }

it_note "ulmctl locks: the table"
ulmctl locks
it_expect_value "exit status" 0 "$RC"
it_expect_value "headings" "ID TYPE START END PROTO NODE EPOCH CLIENT OWNER PATH" \
	"$(squeeze | head -n 1)"
it_expect_value "A's lock" 1 \
	"$(it__count "^[0-9a-f]{12} write 0 99 nfs4 1 [0-9]+ $A lo1 $IT_EXPORT/f$" "$(squeeze)")"
it_expect_value "B's NLM lock (owner: the svid)" 1 \
	"$(it__count "^[0-9a-f]{12} read 200 209 nlm 1 [0-9]+ $B svid 1 $IT_EXPORT/f$" "$(squeeze)")"
it_expect_value "C's lock through node 2" 1 \
	"$(it__count "^[0-9a-f]{12} read 0 eof nfs4 2 [0-9]+ $C lo1 $IT_EXPORT/g$" "$(squeeze)")"
it_expect_value "columns are aligned (PATH starts at one offset)" 1 \
	"$(awk '{print index($0, "/") ? index($0, "/") : index($0, "PATH")}' <<<"$OUT" | sort -u | wc -l)"
it_note "a real table:"
sed 's/^/#   /' <<<"$OUT"

it_note "JSON"
ulmctl locks --json
it_expect_value "valid JSON, 3 locks, C's to EOF as null" "3 1" \
	"$(python3 -c 'import json,sys; l=json.load(sys.stdin)["locks"]; print(len(l), sum(r["end"] is None for r in l))' <<<"$OUT")"
ulmctl nodes -J
it_expect_value "nodes: this one local, with numbers" "1 True 2 2 False" \
	"$(python3 -c 'import json,sys; n=json.load(sys.stdin)["nodes"]; print(n[0]["node"], n[0]["local"], n[0]["locks"], n[1]["node"], n[1]["local"])' <<<"$OUT")"
ulmctl stats --json
it_expect_value "stats: counters and 24 latency buckets" "yes 24" \
	"$(python3 -c 'import json,sys; s=json.load(sys.stdin)["stats"]; print("yes" if s["counters"]["lock"] >= 3 else "no", len(s["latency"]))' <<<"$OUT")"

it_note "every command"
ulmctl shares
it_expect_value "shares: A's deny-write" 1 \
	"$(it__count "^[0-9a-f]{12} rw w nfs4 1 [0-9]+ $A ulm-open-owner $IT_EXPORT/f$" "$(squeeze)")"
# D's retry renews its queued request: it lapses a lease after the last
# one (under load the scene's WRITEW can be more than a lease ago).
it_expect d "v4 lock writew 0 0" "DENIED read 0 0"
ulmctl waiters
it_expect_value "waiters: D's WRITEW, lapsing within a lease" 1 \
	"$(it__count "^[0-9a-f]{12} wait-write 0 eof [1-4]s nfs4 1 $D lo1 $IT_EXPORT/g$" "$(squeeze)")"
ulmctl delegations
it_expect_value "delegations: none, nothing printed" "0 " "$RC $OUT"
ulmctl clients
it_expect_value "clients" "$(printf '%s\n' \
	"PROTO CLIENT NODE LOCKS SHARES DELEGATIONS WAITERS" \
	"nlm $B 1 1 0 0 0" "nfs4 $A 1 1 1 0 0" "nfs4 $D 1 0 1 0 1" \
	"nfs4 $C 2 1 1 0 0")" "$(squeeze)"
ulmctl nodes
it_expect_value "nodes" "NODE EPOCH LOCAL LEASE SINCE LOCKS SHARES DELEGATIONS WAITERS|1 1 yes live - 2 2 0 1|2 1 no live - 1 1 0 0" \
	"$(squeeze | sed 's/^ //' | paste -sd'|')"
ulmctl file "$IT_EXPORT/f"
it_expect_value "file: its path and three records" "File: $IT_EXPORT/f|Records: 3" \
	"$(squeeze | grep -E '^(File|Records):' | paste -sd'|')"
ulmctl stats
it_expect_value "stats: the lock counter" 1 "$(it__count '^lock +[3-9]' "$OUT")"
it_expect_value "stats: a latency table" 1 "$(it__count '^STORE LATENCY +CALLS$' "$OUT")"

it_note "filters, columns, headings"
ulmctl locks --protocol nlm -n -o id,proto,client
it_expect_value "--protocol nlm -n -o" "nlm $B" "$(squeeze | cut -d' ' -f2-)"
ulmctl locks --path "$IT_EXPORT/g" -o type,node
it_expect_value "--path" "TYPE NODE|read 2" "$(squeeze | paste -sd'|')"
ulmctl locks --client ulmt-a- --raw -o type,start,end
it_expect_value "--client, --raw" "type=write start=0 end=99" "$OUT"
ulmctl locks --node 2 --export 1 -n -o client
it_expect_value "--node --export" "$C" "$(squeeze)"
ulmctl --list-columns locks
it_expect_value "--list-columns names every column" 17 "$(wc -l <<<"$OUT")"

it_note "the store, read without Ganesha, lists the same records"
ulmctl records --raw
over_dbus=$(ids)
ulmctl --store "lmdb:$IT_STORE" records --raw
it_expect_value "the same ids" "$over_dbus" "$(ids)"
it_expect_value "7 records" 7 "$(wc -l <<<"$OUT")"
ulmctl --store "$IT_STORE" locks -o type,node,file
it_expect_value "offline table names files by key" 3 \
	"$(it__count '^(read|write) +[12] [0-9a-f]{20,}$' "$(squeeze)")"

it_note "usage errors: exit 2"
ulmctl_expect "no command" 2 "ulmctl: no command (see ulmctl --help)"
ulmctl_expect "unknown command" 2 \
	"ulmctl: unknown command 'lock' (see ulmctl --help)" lock
ulmctl_expect "two formats" 2 \
	"ulmctl: --json and --raw are mutually exclusive" locks --json --raw
ulmctl_expect "break without id" 2 \
	"ulmctl: usage: ulmctl break lock|share|delegation|node ID" break lock
ulmctl_expect "break what" 2 \
	"ulmctl: break what: lock, share, delegation or node, not 'flock'" \
	break flock 0123456789ab
ulmctl_expect "bad protocol" 2 \
	"ulmctl: protocol must be nlm, nfs4, smb, local or 9p, not 'ftp'" \
	locks --protocol ftp
ulmctl_expect "bad column" 2 \
	"ulmctl: unknown column 'colour' (see --list-columns)" locks -o id,colour
ulmctl_expect "stats offline" 2 \
	"ulmctl: stats needs a running Ganesha (drop --store)" \
	--store "$IT_STORE" stats
ulmctl_expect "path offline" 2 \
	"ulmctl: --path needs a running Ganesha to resolve it (drop --store, or filter by --file KEY)" \
	--store "$IT_STORE" locks --path /x
ulmctl_expect "bad store" 2 \
	"ulmctl: --store 'rados:': give lmdb:DIR (or DIR) or rados:POOL[/NAMESPACE]" \
	--store rados: locks
ulmctl_expect "bad timeout" 2 \
	"ulmctl: --timeout must be 1 to 3600 seconds, not '0'" -t 0 locks
ulmctl_expect "help" 0 "" --help
expect_literal "--help prints the usage" "Usage: ulmctl [OPTIONS] COMMAND [ARGS]" \
	"$(head -n 1 <<<"$OUT")"

it_note "failures: exit 1, Ganesha's reason"
ulmctl_expect "unknown id" 1 \
	"ulmctl: no record with id 000000000000 (gone, or never there)" \
	break lock 000000000000
ulmctl_expect "malformed id" 1 \
	"ulmctl: 'zz' is not a record id (12 hex digits, as listed by ShowLocks, ShowShares, ShowDelegations)" \
	break lock zz
lock_id=$(id_of "type=write start=0 end=99 ")
ulmctl_expect "a lock is no share" 1 \
	"ulmctl: record $lock_id is a write record: use BreakLock, RecallDelegation or RevokeDelegation" \
	break share "$lock_id"
ulmctl_expect "no such path" 1 \
	"ulmctl: path $IT_EXPORT/nope: no such file in a UNIFIED export" \
	file "$IT_EXPORT/nope"
ulmctl_expect "missing store" 1 \
	"ulmctl: cannot open the lock store lmdb:$IT_DIR/nope: No such file or directory (no store there?)" \
	--store "lmdb:$IT_DIR/nope" locks
ulmctl_expect "grace of an LMDB store" 1 \
	"ulmctl: no cluster recovery state: the lock store is not RADOS, or RADOS was unreachable when Ganesha started (see its log)" \
	grace
ulmctl_expect "grace: Ganesha reads its own grace database" 2 \
	"ulmctl: --grace-db goes with --store: Ganesha reads its own grace database" \
	--grace-db ulm/grace grace
ULMCTL_AS=65534 ulmctl_expect "not root" 1 \
	"ulmctl: the bus refused the call: org.ganesha.nfsd.lockmgr is for root only" locks
ULMCTL_NODE=n2 ulmctl_expect "no bus in node 2" 1 \
	"ulmctl: cannot reach the system bus: Failed to connect to socket /run/dbus/system_bus_socket: No such file or directory (is dbus running? --store reads the lock store without Ganesha)" \
	locks
it_expect_value "nothing was broken" 7 "$(it_store_count .)"

it_note "Ganesha gone (killed): DBus says so, the store still answers"
sb_stop n1 ganesha KILL || it_fail "stopping node 1"
ulmctl_expect "no Ganesha" 1 \
	"ulmctl: no Ganesha on the system bus (org.ganesha.nfsd): is it running? (--store reads the lock store without it)" \
	locks
ulmctl --store "$IT_STORE" locks --node 2 -n -o type,client
it_expect_value "offline: node 2's lock" "read $C" "$(squeeze)"
