#!/usr/bin/env bash
# dashboard-png.sh [SECONDS] [OUT.png]: the panels of the sample Grafana
# dashboard (config_samples/grafana-ulm.json), drawn from a real run.
# Debian 12 packages no Grafana, so a real Prometheus server (Debian's
# prometheus) scrapes a real Ganesha with UNIFIED every second while real
# NFSv4 and NLM clients (ulm-nfs-bench) lock against each other; each
# panel's own PromQL is then evaluated by that Prometheus over the run
# (query_range; $__rate_interval = 10s) and gnuplot draws the answers, one
# plot a panel, titled as in the dashboard. Default: 60 s, docs/grafana-ulm.png.
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${2:-$root/docs/grafana-ulm.png}")
# shellcheck source=../bench/bench_lib.sh
. "$root/bench/bench_lib.sh"
bench_init dashboard
trap 'sb_alive n1 prometheus && sb_stop n1 prometheus; sb_cleanup' EXIT
PORT=9464 PROM=127.0.0.1:9090
bench=$build/bench/nfs/ulm-nfs-bench
mkdir -p "$work/export" "$work/store" "$work/prom" "$work/data"

sb_node_create n1
sb_rpcbind_start n1
sb_statd_start n1
sb_ganesha_conf n1 protocols=3,4 grace=2 lease=10 store=lmdb \
	store_path="$work/store" node_id=1 metrics_port=$PORT \
	export="1:$work/export:/export:UNIFIED/VFS"
sb_ganesha_start n1
sb_ganesha_wait_grace n1
# A second node on the same store: its clients' locks are what n1's lock
# store refuses (conflicts), as a cluster's would be.
sb_node_create n2
sb_ganesha_conf n2 protocols=4 grace=2 lease=10 store=lmdb \
	store_path="$work/store" node_id=2 \
	export="1:$work/export:/export:UNIFIED/VFS"
sb_ganesha_start n2
sb_ganesha_wait_grace n2

cat >"$work/prometheus.yml" <<CONF
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: ulm
    static_configs: [{targets: ['127.0.0.1:$PORT']}]
CONF
sb_spawn n1 prometheus prometheus --config.file="$work/prometheus.yml" \
	--storage.tsdb.path="$work/prom" --web.listen-address=$PROM
sb_wait_until 30 sb_exec n1 curl -sf "http://$PROM/-/ready" >/dev/null

# The workload: NFSv4 clients of both nodes on one file, NLM clients on
# another, so that LOCKs meet others' (conflicts, retries), in two bursts
# with a pause.
start=$(date +%s)
burst() {
	sb_exec n1 "$bench" --server 127.0.0.1 --export /export --file v4.dat \
		--seconds "$1" --clients 3 >/dev/null &
	sb_exec n2 "$bench" --server 127.0.0.1 --export /export --file v4.dat \
		--seconds "$1" --clients 1 >/dev/null &
	sb_exec n1 "$bench" --server 127.0.0.1 --export /export --file nlm.dat \
		--seconds "$1" --clients 2 --nlm >/dev/null
	wait
}
burst $((seconds / 3))
sleep $((seconds / 6))
burst $((seconds / 3))
sleep 5
end=$(date +%s)
echo "dashboard-png: workload $start..$end, querying Prometheus"

python3 "$root/scripts/lib/dashboard_data.py" \
	"$root/config_samples/grafana-ulm.json" "$work/data" "$start" "$end" \
	-- nsenter -t "$(sb_holder_pid n1)" -n -m -- curl -sf >"$work/panels.gp"
gnuplot -e "out='$out'" "$work/panels.gp"
echo "dashboard-png: wrote $out"
