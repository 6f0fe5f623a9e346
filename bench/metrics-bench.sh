#!/usr/bin/env bash
# The cost of metrics on the lock path: NFSv4 lock+unlock pairs per second
# through UNIFIED (LMDB) on a Ganesha serving /metrics and scraped every
# SCRAPE_S seconds (default 0.5 s, 30 times Prometheus' default rate)
# against an identical Ganesha with Metrics_Port unset, in one run,
# interleaved. (The counters themselves, relaxed atomic adds, are counted
# on both: they also feed ulmctl stats.)
#
#   bench/metrics-bench.sh [SECONDS_PER_RUN] [ROUNDS]
set -euo pipefail
seconds=${1:-5}
rounds=${2:-3}
scrape_s=${SCRAPE_S:-0.5}
port=9464

# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_init mbench
bench=$build/bench/nfs/ulm-nfs-bench
for node in on off; do
	mkdir -p "$work/$node/export" "$work/$node/store"
	sb_node_create "$node"
	metrics=()
	[ "$node" = off ] || metrics=(metrics_port=$port)
	sb_ganesha_conf "$node" protocols=4 grace=2 lease=30 store=lmdb \
		store_path="$work/$node/store" node_id=1 "${metrics[@]}" \
		export="1:$work/$node/export:/unified:UNIFIED/VFS"
	sb_ganesha_start "$node"
	sb_ganesha_wait_grace "$node"
done
sb_exec on sh -c "while curl -s -o /dev/null http://127.0.0.1:$port/metrics; do
	sleep $scrape_s; done" &
scraper=$!

# run NODE: lock+unlock pairs per second
run() {
	sb_exec "$1" "$bench" --server 127.0.0.1 --export /unified \
		--file bench.dat --seconds "$seconds" --clients 1 |
		tr ' ' '\n' | awk -F= '$1 == "pairs_per_s" { print $2 }'
}

declare -A sum=([on]=0 [off]=0)
for round in $(seq "$rounds"); do
	for node in off on; do
		p=$(run "$node")
		printf 'metrics %-3s %10.0f pairs/s (round %d)\n' "$node" "$p" "$round"
		sum[$node]=$(awk -v a="${sum[$node]}" -v b="$p" 'BEGIN { print a + b }')
	done
done
kill "$scraper" 2>/dev/null || true
awk -v on="${sum[on]}" -v off="${sum[off]}" -v s="$scrape_s" 'BEGIN {
	r = on / off
	printf "RATIO metrics on (scraped every %s s)/off pairs/s = %.3f (cost %.1f%%) target <= 2%%: %s\n",
		s, r, (1 - r) * 100, (r >= 0.98 ? "PASS" : "FAIL") }'
