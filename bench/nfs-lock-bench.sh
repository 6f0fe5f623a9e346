#!/usr/bin/env bash
# NFSv4 lock+unlock pairs per second through a UNIFIED export (LMDB store)
# against a plain VFS export of the SAME ganesha.nfsd, measured in one run,
# interleaved so that drift of the machine hits both alike.
# ULM_BENCH_PROTO=nlm: NLM v4 LOCK+UNLOCK pairs instead (with rpcbind and
# rpc.statd in the node, as NLM needs).
#
#   bench/nfs-lock-bench.sh [SECONDS_PER_RUN] [CLIENT_COUNTS...]
#   e.g. bench/nfs-lock-bench.sh 5 1 4
# ULM_BENCH_STORE=rados: UNIFIED on RADOS instead, on a single-node Ceph
# cluster (memstore) started in the node's namespace (scripts/lib/ceph.sh);
# ULM_BENCH_TOKENS=false: with Rados_Tokens off (every change written
# through), default true.
set -euo pipefail
seconds=${1:-5}
shift || true
counts=("${@:-1 4}")
read -r -a counts <<<"${counts[*]}"

# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_init bench
protocols=4 proto_opt=()
if [ "${ULM_BENCH_PROTO:-v4}" = nlm ]; then
	protocols=3,4 proto_opt=(--nlm)
fi
bench_lock_server "$protocols"
echo "protocol: ${ULM_BENCH_PROTO:-v4}"

# run EXPORT CLIENTS: prints "pairs_per_s median_us p99_us pairs"
run() { bench_lock_run "$1" "$2" "$seconds" "${proto_opt[@]}"; }

printf '%-8s %-8s %12s %10s %10s\n' clients export pairs/s median_us p99_us
for c in "${counts[@]}"; do
	declare -A sum=([vfs]=0 [unified]=0)
	declare -A med=()
	for round in 1 2; do
		for ex in vfs unified; do
			read -r p m q _ < <(run "$ex" "$c")
			printf '%-8s %-8s %12.0f %10s %10s   (round %d)\n' \
				"$c" "$ex" "$p" "$m" "$q" "$round"
			sum[$ex]=$(awk -v a="${sum[$ex]}" -v b="$p" 'BEGIN { print a + b }')
			med[$ex]=$m
		done
	done
	awk -v c="$c" -v u="${sum[unified]}" -v v="${sum[vfs]}" \
		-v mu="${med[unified]}" -v mv="${med[vfs]}" 'BEGIN {
		r = u / v
		printf "RATIO clients=%s unified/vfs pairs/s = %.2f (median %s us vs %s us) target >= 0.70: %s\n",
			c, r, mu, mv, (r >= 0.7 ? "PASS" : "FAIL") }'
done
