#!/usr/bin/env bash
# SMB2 lock+unlock pairs per second through smbd with vfs_ulm (LMDB store,
# config_samples/smb.conf) against stock smbd (the same file without the
# module: the anchor), one SMB client each, measured in one run,
# interleaved ROUNDS times so that drift of the machine hits both alike.
#
#   bench/smb-lock-bench.sh [SECONDS_PER_RUN] [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-3}
rounds=${2:-3}
build=$(ULM_BUILD_DIR=${ULM_BUILD_DIR:-$root/build} "$root/scripts/build.sh")
# shellcheck source=../scripts/lib/sandbox.sh
. "$root/scripts/lib/sandbox.sh"
# shellcheck source=../scripts/lib/smbd.sh
. "$root/scripts/lib/smbd.sh"
# shellcheck disable=SC2034 # read by smbd.sh
SB_SMB_MODULE=$build/samba_vfs/ulm.so

work=$(mktemp -d /tmp/ulm-bench.XXXXXX)
sb_init "$work/sb" "ulmt-bench-$$"
trap 'sb_cleanup' EXIT
for node in stock ulm; do
	mkdir -p "$work/$node/export" "$work/$node/store"
	sb_node_create "$node"
	SB_SMB_STOCK=$([ "$node" = stock ] && echo 1 || echo 0) \
		sb_smbd_start "$node" "$root/config_samples/smb.conf" \
		"EXPORT=$work/$node/export" "STORE=$work/$node/store"
done

# pairs_per_second NODE
pairs_per_second() {
	sb_exec "$1" "$root/bench/smb/ulm-smb-bench" --server 127.0.0.1 \
		--share export --user root --password "$SB_SMB_PASSWORD" \
		--seconds "$seconds" | awk '{print $3}'
}

declare -A sum=([stock]=0 [ulm]=0)
for ((r = 1; r <= rounds; r++)); do
	for node in stock ulm; do
		p=$(pairs_per_second "$node")
		echo "round $r $node: $p pairs/s"
		sum[$node]=$((sum[$node] + p))
	done
done
awk -v s="${sum[stock]}" -v u="${sum[ulm]}" -v r="$rounds" 'BEGIN {
	printf "stock smbd %.0f pairs/s, vfs_ulm %.0f pairs/s: ratio %.2f\n",
		s / r, u / r, u / s }'
