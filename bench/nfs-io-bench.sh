#!/usr/bin/env bash
# WRITEs per second without an open (NFSv3 WRITE, NFSv4 WRITE with the
# anonymous stateid) on a file with no share reservation, through a
# UNIFIED export (LMDB store) against a plain VFS export of the SAME
# ganesha.nfsd, the two run at once in each round of one run (so that the
# machine's other load slows both alike). Such I/O passes UNIFIED's
# delegation and share reservation checks (docs/fsal-unified.md); VFS,
# the sub-FSAL, is the anchor. Then NFSv4 WRITEs under an OPEN, which meet
# only the SMB byte-range lock check (Smb_Locks_Mandatory), through that
# export against one of the same Ganesha with the check off.
#
#   bench/nfs-io-bench.sh [SECONDS_PER_RUN] [ROUNDS]
# ULM_BENCH_BASELINE_MODULE=/path/libfsalunified.so: also a second node
# whose UNIFIED is that build (e.g. one without the share check), and the
# ratio of this build's UNIFIED to it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-2}
rounds=${2:-9}

build=$(ULM_BUILD_DIR=${ULM_BUILD_DIR:-$root/build} "$root/scripts/build.sh")
bench=$build/bench/nfs/ulm-io-bench
# shellcheck source=../scripts/lib/sandbox.sh
. "$root/scripts/lib/sandbox.sh"
SB_UNIFIED_MODULE=$build/fsal_unified/libfsalunified.so
baseline=${ULM_BENCH_BASELINE_MODULE:-}

work=$(mktemp -d /tmp/ulm-bench.XXXXXX)
sb_init "$work/sb" "ulmt-iobench-$$"
trap 'sb_cleanup' EXIT

# advisory_export DIR: export 3, /advisory: UNIFIED with SMB locks
# advisory for NFS I/O.
advisory_export() {
	mkdir -p "$1"
	printf 'EXPORT {\n\tExport_Id = 3; Path = "%s"; Pseudo = "/advisory";\n' "$1"
	printf '\tProtocols = 3,4; Access_Type = RW; Squash = No_Root_Squash;\n'
	printf '\tTransports = TCP; SecType = sys;\n'
	printf '\tFSAL { Name = UNIFIED; Smb_Locks_Mandatory = false;\n'
	printf '\t\tFSAL { Name = VFS; } }\n}\n'
}

# node NAME ID MODULE: protocols 3 and 4, a VFS and two UNIFIED exports.
node() {
	mkdir -p "$work/$1/vfs" "$work/$1/unified" "$work/$1/store"
	sb_node_create "$1"
	sb_rpcbind_start "$1"
	sb_statd_start "$1"
	SB_UNIFIED_MODULE=$3 sb_ganesha_conf "$1" protocols=3,4 grace=2 \
		lease=30 store=lmdb store_path="$work/$1/store" node_id="$2" \
		export="1:$work/$1/vfs:/vfs:VFS" \
		export="2:$work/$1/unified:/unified:UNIFIED/VFS" \
		raw="$(advisory_export "$work/$1/advisory")"
	sb_ganesha_start "$1"
	sb_ganesha_wait_grace "$1"
}
node n1 1 "$SB_UNIFIED_MODULE"
[ -z "$baseline" ] || node n2 2 "$baseline"

# run NODE EXPORT PROTO [--open]: writes per second
run() {
	sb_exec "$1" "$bench" --server 127.0.0.1 --export "/$2" \
		--file bench.dat --proto "$3" --seconds "$seconds" "${@:4}" |
		tr ' ' '\n' | awk -F= '$1 == "writes_per_s" { print $2 }'
}

# median RATIOS...: the middle one (each round's own ratio: the machine's
# drift between rounds cancels out)
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# pair PROTO ROUND NODE_A EXPORT_A NAME_A NODE_B EXPORT_B NAME_B [--open]:
# both runs at once, so that whatever else the machine does slows both
# alike; prints and returns (in RATIO) A's writes/s over B's.
pair() {
	run "$3" "$4" "$1" "${@:9}" >"$work/a.out" &
	run "$6" "$7" "$1" "${@:9}" >"$work/b.out" &
	wait
	printf '%-6s %-9s %12.0f   (round %d)\n' "v$1" "$5" "$(cat "$work/a.out")" "$2" \
		"v$1" "$8" "$(cat "$work/b.out")" "$2"
	RATIO=$(awk -v a="$(cat "$work/a.out")" -v b="$(cat "$work/b.out")" 'BEGIN { print a / b }')
}

printf '%-6s %-9s %12s\n' proto export writes/s
for proto in 3 4; do
	vs_vfs=() vs_base=()
	for round in $(seq "$rounds"); do
		# One Ganesha, two exports: each run has the same server.
		pair "$proto" "$round" n1 unified unified n1 vfs vfs
		vs_vfs+=("$RATIO")
		# Two Ganeshas, one client each.
		[ -z "$baseline" ] || {
			pair "$proto" "$round" n1 unified unified n2 unified baseline
			vs_base+=("$RATIO")
		}
	done
	printf 'RATIO NFSv%s WRITE without an open, unified/vfs = %.3f (median of %d rounds)\n' \
		"$proto" "$(median "${vs_vfs[@]}")" "$rounds"
	[ -z "$baseline" ] || awk -v p="$proto" -v r="$(median "${vs_base[@]}")" -v n="$rounds" 'BEGIN {
		printf "RATIO NFSv%s WRITE without an open, unified/baseline = %.3f (median of %d rounds) target >= 0.98: %s\n",
			p, r, n, (r >= 0.98 ? "PASS" : "FAIL") }'
done

# Under an OPEN: the SMB lock check on (the default) against off.
vs_advisory=()
for round in $(seq "$rounds"); do
	pair 4 "$round" n1 unified unified n1 advisory advisory --open
	vs_advisory+=("$RATIO")
done
awk -v r="$(median "${vs_advisory[@]}")" -v n="$rounds" 'BEGIN {
	printf "RATIO NFSv4 WRITE under an open, SMB locks mandatory/advisory = %.3f (median of %d rounds) target >= 0.95: %s\n",
		r, n, (r >= 0.95 ? "PASS" : "FAIL") }'
