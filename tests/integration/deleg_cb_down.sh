#!/usr/bin/env bash
# it.deleg_cb_down: clients whose callback path is down. NFSv4.0 clients
# that confirm their client ID with no reachable callback address get one
# "Callback channel is down" line each (Ganesha's own, at CRIT:
# Protocols/NFS/nfs4_op_setclientid_confirm.c:413) and no delegation;
# a holder whose callback stops answering makes Ganesha log "Call back
# channel down, not issuing a recall" once a second (its own, CRIT:
# MainNFSD/nfs_rpc_callback.c:1352) only until the delegation is revoked;
# its RENEW is answered NFS4ERR_CB_PATH_DOWN meanwhile. UNIFIED itself
# logs nothing at MAJ or CRIT for any of it.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup deleg_cb_down

LEASE=4
MARGIN=1
CLIENTS=5
it_unified_node n1 4 1 delegations=readwrite lease=$LEASE
LOG=$(sb_node_dir n1)/ganesha.log
count() { grep -c -- "$1" "$LOG" || true; }

for i in $(seq $CLIENTS); do
	it_client_start c$i n1 # announces no callback service
	it_expect c$i "v4 open confirm-c$i read" OK
	it_expect c$i "v4 open f$i read" OK # no delegation
	it_expect c$i "v4 renew" OK
	it_expect c$i "v4 close" OK
done
it_expect_value "one 'Callback channel is down' line per client" $CLIENTS \
	"$(count 'setclid confirm: Callback channel is down')"

it_note "a holder whose callback stops answering"
it_client_start h n1 /export --callback
it_expect h "v4 open confirm-h read" OK
it_expect h "v4 open g read" "OK deleg=read"
it_expect h "v4 callback mute" OK
it_expect c1 "v4 open g write" "ERR NFS4ERR_DELAY"
it_expect_within $((LEASE + MARGIN + 3)) h "v4 renew" "ERR NFS4ERR_CB_PATH_DOWN"
it_expect_within $((LEASE + MARGIN + 3)) c1 "v4 open g write" OK
sleep 2 # Ganesha's retries would go on once a second
LINES=$(count 'Call back channel down, not issuing a recall')
it_note "'not issuing a recall' lines: $LINES (one a second until revoked)"
it_expect_value "at most one a second until the revocation" yes \
	"$([ "$LINES" -le $((LEASE + MARGIN + 1)) ] && echo yes || echo no)"
it_expect_value "no UNIFIED line at MAJ or CRIT" 0 \
	"$(grep -cE ':(MAJ|CRIT) :UNIFIED' "$LOG" || true)"
