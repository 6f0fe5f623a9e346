#!/usr/bin/env bash
# Where a lock+unlock pair's CPU goes inside ganesha.nfsd: UNIFIED (LMDB)
# beside a plain VFS export of the SAME daemon, measured in one run
# (bench_lib.sh's server, as bench/nfs-lock-bench.sh). perf samples the
# daemon's CPU clock (perf_event_paranoid <= 2 lets root; no hardware
# counters needed) while CLIENTS clients run pairs on one export, then the
# other; printed per shared object: CPU microseconds per pair on each
# export and the difference, then UNIFIED's hottest symbols in our code
# and what it calls (libulm, LMDB). ULM_BENCH_STORE=rados as in
# nfs-lock-bench.sh. The perf data stay in the work directory printed.
# Flame graphs (bench/flamegraph.py, python3-matplotlib) of each run go to
# ULM_PROFILE_OUT: lock-profile-vfs.png, lock-profile-unified.png and
# lock-profile-unified-fsal.png (the samples through UNIFIED's module).
#
#   bench/lock-profile.sh [SECONDS] [CLIENTS]      (default 10 s, 4)
#   ULM_PROFILE_OUT=DIR       the PNGs (default: the work directory)
set -euo pipefail
seconds=${1:-10}
clients=${2:-4}
command -v perf >/dev/null || {
	echo "lock-profile: perf not found (Debian package linux-perf)" >&2
	exit 1
}

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench_lib.sh
. "$here/bench_lib.sh"
bench_init profile
bench_lock_server 4
pid=$(cat "$(sb_node_dir n1)/ganesha.pidfile")
echo "work: ${work:?} (perf data: vfs.data, unified.data)"
declare -A pairs

# profile EXPORT: pairs on /EXPORT with perf recording the daemon.
profile() {
	local perf_pid p
	bench_lock_run "$1" "$clients" 1 >/dev/null # files and state warm
	perf record -q -e cpu-clock -F 997 --call-graph dwarf -p "$pid" -o "$work/$1.data" \
		2>"$work/$1.perf.log" &
	perf_pid=$!
	read -r p _ _ "pairs[$1]" < <(bench_lock_run "$1" "$clients" "$seconds")
	kill -INT "$perf_pid"
	wait "$perf_pid" || true
	printf '%-8s %10.0f pairs/s  %s pairs\n' "$1" "$p" "${pairs[$1]}"
}

# by_dso EXPORT: "dso ns" lines, the daemon's CPU time on EXPORT's run.
by_dso() {
	perf report -i "$work/$1.data" --stdio --no-children --sort dso -g none \
		2>/dev/null | awk '
		/^# Event count/ { total = $NF }
		/^ +[0-9.]+%/ { sub("%", "", $1); printf "%s %.0f\n", $2, $1 / 100 * total }'
}

# flame EXPORT NAME TITLE [FOCUS]: the run's flame graph, in the output.
flame() {
	local png=$out/lock-profile-$2.png
	perf script -i "$work/$1.data" 2>/dev/null |
		"$here/flamegraph.py" --title "$3" ${4:+--focus "$4"} "$png"
	echo "flame graph: $png"
}

profile vfs
profile unified
out=${ULM_PROFILE_OUT:-$work}
mkdir -p "$out"
what="ganesha.nfsd, $clients clients, LOCK+LOCKU pairs for ${seconds} s"
flame vfs vfs "/vfs (plain VFS): $what, ${pairs[vfs]} pairs"
flame unified unified "/unified (UNIFIED, ${ULM_BENCH_STORE:-lmdb}): $what, ${pairs[unified]} pairs"
flame unified unified-fsal "/unified: the samples through libfsalunified.so (UNIFIED + libulm) only" \
	libfsalunified.so
echo
printf '%-28s %12s %12s %12s\n' "shared object" "vfs us/pair" \
	"unified" "difference"
join -a1 -a2 -e 0 -o 0,1.2,2.2 <(by_dso vfs | sort) <(by_dso unified | sort) |
	awk -v nv="${pairs[vfs]}" -v nu="${pairs[unified]}" '
	{ v = $2 / nv / 1000; u = $3 / nu / 1000; tv += v; tu += u
	  if (u > 0.05 || v > 0.05) printf "%-28s %12.2f %12.2f %+12.2f\n", $1, v, u, u - v }
	END { printf "%-28s %12.2f %12.2f %+12.2f\n", "all (the daemon)", tv, tu, tu - tv }'
echo
echo "UNIFIED's run, hottest symbols of UNIFIED (libulm linked in) and LMDB (share of the daemon's CPU):"
perf report -i "$work/unified.data" --stdio --no-children --sort dso,sym -g none \
	--dsos libfsalunified.so,liblmdb.so.0.0.0 2>/dev/null |
	awk '/^ +[0-9.]+%/ && n++ < 15'
