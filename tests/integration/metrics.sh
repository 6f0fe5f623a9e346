#!/usr/bin/env bash
# it.metrics: UNIFIED's /metrics endpoint on a real Ganesha, scraped with
# curl, parsed by Prometheus' own Python client (tools/prom_check.py: the
# format, checked strictly) and linted by promtool; a scripted workload of real NFSv4 and NLM
# clients moves the counters exactly as predicted; ulmctl metrics prints
# the same text over DBus; the sample Grafana dashboard asks only for
# metrics served; a bad Metrics_Port is a config error naming the valid
# range, and Ganesha keeps running; a port in use is logged and the
# exports are served without the endpoint.
# shellcheck source=tests/integration/it_lib.sh
. "$(dirname "$0")/it_lib.sh"
it_setup metrics
it_need ULM_IT_ULMCTL "ulmctl"
PORT=9464
CHECK=$IT_SRC/tools/prom_check.py
# Debian's python3, where python3-prometheus-client is installed
PY=/usr/bin/python3
DASHBOARD=$IT_SRC/../../config_samples/grafana-ulm.json

# Two nodes on one store: a conflict between clients of one Ganesha is
# found by Ganesha itself (SAL) before UNIFIED is asked; across nodes only
# the lock store sees it.
it_unified_node n1 3,4 1 dbus=1 metrics_port=$PORT
it_unified_node n2 4 2 metrics_port=$PORT
it_client_start a n1
it_client_start b n1
it_client_start c n2

# scrape NODE NAME: GET NODE's /metrics into $IT_DIR/NAME.prom; HTTP
# status and content type in HTTP.
scrape() {
	HTTP=$(sb_exec "$1" curl -sS -o "$IT_DIR/$2.prom" \
		-w '%{http_code} %{content_type}' "http://127.0.0.1:$PORT/metrics")
}

# moved BEFORE AFTER: the samples whose value changed, "SERIES +DELTA",
# but for latency histograms and the count of libulm calls (how many calls
# an operation makes is UNIFIED's business).
moved() {
	join -j 1 <($PY "$CHECK" samples "$IT_DIR/$1.prom" | sort) \
		<($PY "$CHECK" samples "$IT_DIR/$2.prom" | sort) |
		awk '$2 != $3 && $1 !~ /(_bucket|_sum|_count)\{/ &&
			$1 !~ /^ulm_lock_calls_total/ {
			printf "%s +%g\n", $1, $3 - $2 }'
}

# expect_moved BEFORE AFTER WHAT LINES: the counters moved exactly so.
expect_moved() {
	it_expect_value "$2: $3" "$(printf '%s\n' "${@:4}" | sort)" \
		"$(moved "$1" "$2")"
}

it_note "the endpoint, parsed by Prometheus' parser and checked strictly"
scrape n1 n1-before
it_expect_value "HTTP status and content type" \
	"200 text/plain; version=0.0.4; charset=utf-8" "$HTTP"
it_expect_value "the exposition format" "ok*" \
	"$($PY "$CHECK" check "$IT_DIR/n1-before.prom")"
scrape n2 n2-before
it_expect_value "node 2 too" "200 ok*" \
	"${HTTP%% *} $($PY "$CHECK" check "$IT_DIR/n2-before.prom")"
it_expect_value "other paths: 404" 404 \
	"$(sb_exec n1 curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")"

it_note "the workload"
it_expect a "v4 open f both" OK
for off in 0 100 200; do
	it_expect a "v4 lock write $off 10" OK
done
it_expect c "v4 open f both" OK
it_expect c "v4 lock write 0 10" "DENIED write 0 10"
it_expect c "v4 lock read 105 1" "DENIED write 100 10"
it_expect a "v4 unlock 0 10" OK
it_expect b "nlm lock read 300 10 f" OK
it_expect b "nlm lock write 100 10 f block" BLOCKED
scrape n1 n1-blocked
it_expect_value "B's blocking lock waits: 1 blocked waiter" "ulm_blocked_waiters 1" \
	"$(grep '^ulm_blocked_waiters ' "$IT_DIR/n1-blocked.prom")"
it_expect b "nlm cancel write 100 10 f" OK
it_expect a "v4 open g both deny write" OK
it_expect c "v4 open g write" "*SHARE_DENIED*"
scrape n1 n1-after
scrape n2 n2-after
it_expect_value "the cancelled request waits no more" "ulm_blocked_waiters 0" \
	"$(grep '^ulm_blocked_waiters ' "$IT_DIR/n1-after.prom")"
expect_moved n1-before n1-after "3 locks, 1 unlock (NFSv4), 1 NLM lock, 1 NLM lock blocked (a conflict) and cancelled, 2 opens" \
	'ulm_operations_total{op="lock",protocol="nfs4",result="ok"} +3' \
	'ulm_operations_total{op="lock",protocol="nlm",result="blocked"} +1' \
	'ulm_operations_total{op="cancel",protocol="nlm",result="ok"} +1' \
	'ulm_conflicts_total{} +1' \
	'ulm_operations_total{op="unlock",protocol="nfs4",result="ok"} +1' \
	'ulm_operations_total{op="lock",protocol="nlm",result="ok"} +1' \
	'ulm_operations_total{op="share",protocol="nfs4",result="ok"} +2'
expect_moved n2-before n2-after "2 lock conflicts, 1 share deny: 3 conflicts; 1 open" \
	'ulm_operations_total{op="lock",protocol="nfs4",result="conflict"} +2' \
	'ulm_operations_total{op="share",protocol="nfs4",result="denied"} +1' \
	'ulm_operations_total{op="share",protocol="nfs4",result="ok"} +1' \
	'ulm_conflicts_total{} +3'
it_expect_value "n1's store calls, timed: LMDB writes counted" yes \
	"$(awk '/^ulm_store_call_duration_seconds_count\{backend="lmdb",call="write"\}/ {
		print ($2 >= 4 ? "yes" : "no: " $2) }' "$IT_DIR/n1-after.prom")"
it_expect_value "after the workload: still well-formed" "ok*" \
	"$($PY "$CHECK" check "$IT_DIR/n1-after.prom")"

it_note "Prometheus' own linter (promtool check metrics) on both nodes' text"
# It is live: it names a fault in a line of ours made wrong.
it_expect_value "promtool names a counter without _total" \
	"*counter metrics should have \"_total\" suffix*" \
	"$(sed 's/ulm_conflicts_total/ulm_conflicts/g' "$IT_DIR/n1-after.prom" |
		promtool check metrics 2>&1)"
for prom in n1-after n2-before; do
	it_expect_value "promtool check metrics: $prom: nothing to say" "0:" \
		"$(out=$(promtool check metrics <"$IT_DIR/$prom.prom" 2>&1); echo "$?:$out")"
done

it_note "ulmctl metrics: the same text over DBus"
ulmctl_out=$(sb_exec n1 "$ULM_IT_ULMCTL" metrics) || it_fail "ulmctl metrics"
# Nothing moves between the two reads but time.
scrape n1 n1-again
it_expect_value "ulmctl metrics = GET /metrics" same \
	"$(cmp -s <(printf '%s\n' "$ulmctl_out") "$IT_DIR/n1-again.prom" &&
		echo same || diff <(printf '%s\n' "$ulmctl_out") "$IT_DIR/n1-again.prom")"

it_note "node 1 crashes (kill -9) and restarts with a grace period: recovery, then a reclaim"
sb_ganesha_conf n1 protocols=3,4 lease=4 grace=20 store=lmdb \
	store_path="$(it_node_store "$IT_STORE" n1)" node_id=1 sync=true \
	export="1:$IT_EXPORT:/export:UNIFIED" dbus=1 metrics_port=$PORT ||
	it_fail "node 1: config"
sb_stop n1 ganesha KILL || it_fail "node 1 did not die"
sb_ganesha_start n1 || it_fail "node 1 did not restart"
scrape n1 n1-restarted
it_expect_value "in grace: node 1 reclaims its records from before epoch 2" \
	1 "$(grep -c '^ulm_recovery_in_progress{node="1",before_epoch="2"} 1$' \
		"$IT_DIR/n1-restarted.prom")"
it_expect a "v4 file f" OK
it_expect a "v4 lock write 100 10 reclaim" OK
scrape n1 n1-reclaimed
expect_moved n1-restarted n1-reclaimed "A's lock and open reclaimed" \
	'ulm_reclaims_total{op="lock",result="ok"} +1' \
	'ulm_operations_total{op="lock",protocol="nfs4",result="ok"} +1' \
	'ulm_reclaims_total{op="share",result="ok"} +1' \
	'ulm_operations_total{op="share",protocol="nfs4",result="ok"} +1'

it_note "the sample Grafana dashboard"
it_expect_value "valid JSON, 14 panels" 14 \
	"$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["panels"]))' "$DASHBOARD")"
exprs=$($PY "$CHECK" exprs "$DASHBOARD" "$IT_DIR/n1-after.prom") ||
	it_fail "dashboard: $exprs"
it_pass "every panel's expr names served metrics ($(wc -l <<<"$exprs") panels)"

it_note "a bad Metrics_Port: a config error, Ganesha runs on"
sb_node_create bad || it_fail "node bad"
sb_ganesha_conf bad graceless=true store=lmdb store_path="$IT_DIR/bad-store" \
	node_id=3 metrics_port=70000 export="1:$IT_EXPORT:/export:UNIFIED" ||
	it_fail "config of bad"
mkdir -p "$IT_DIR/bad-store"
sb_ganesha_start bad || true
it_expect_value "bad: ganesha.nfsd still running" running \
	"$(sb_alive bad ganesha && echo running || sb_status bad ganesha)"
it_expect_log bad "the bad value is named" '70000'
it_expect_log bad "the valid range is named" \
	'invalid UNIFIED block.*Metrics_Port = 0\.\.65535 \(0: off\)'
it_expect_value "bad: nothing listens on the port" 000 \
	"$(sb_exec bad curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics" || true)"

it_note "a Metrics_Address that is a name: a config error naming it"
sb_stop bad ganesha TERM || it_fail "bad did not stop"
sb_ganesha_conf bad graceless=true store=lmdb store_path="$IT_DIR/bad-store" \
	node_id=3 metrics_port=$PORT metrics_address=nfs1.example \
	export="1:$IT_EXPORT:/export:UNIFIED" || it_fail "config of bad"
sb_ganesha_start bad || true
it_expect_value "bad: ganesha.nfsd still running" running \
	"$(sb_alive bad ganesha && echo running || sb_status bad ganesha)"
it_expect_log bad "the address is named, and why" \
	'UNIFIED: Metrics_Address = "nfs1\.example" is no IPv4 or IPv6 address'
it_expect_log bad "UNIFIED refuses its exports" \
	'invalid UNIFIED block.*Metrics_Address = <IPv4 or IPv6 address>'

it_note "the port taken by another program: logged, the exports still served"
# Node 2 restarts while another program holds its metrics port.
sb_stop n2 ganesha TERM || it_fail "node 2 did not stop"
sb_spawn n2 squatter /usr/bin/python3 -c "import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', $PORT)); s.listen(); time.sleep(120)" ||
	it_fail "n2: the program holding port $PORT"
sb_wait_until 5 sb_exec n2 sh -c "ss -ltn | grep -q ':$PORT '" ||
	it_fail "n2: nothing listens on $PORT"
it_ganesha_up n2
it_expect_log n2 "the endpoint's failure is named" \
	"UNIFIED: metrics not served on 0\.0\.0\.0 port $PORT: Address already in use"
it_client_start e n2
it_expect e "v4 open h both" OK
it_expect e "v4 lock write 0 10" OK
sb_stop n2 squatter TERM || true
it_grant_check
