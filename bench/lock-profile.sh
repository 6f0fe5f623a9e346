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
#
#   bench/lock-profile.sh [SECONDS] [CLIENTS]      (default 10 s, 4)
set -euo pipefail
seconds=${1:-10}
clients=${2:-4}
command -v perf >/dev/null || {
	echo "lock-profile: perf not found (Debian package linux-perf)" >&2
	exit 1
}

# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
bench_init profile
bench_lock_server 4
pid=$(cat "$(sb_node_dir n1)/ganesha.pidfile")
echo "work: ${work:?} (perf data: vfs.data, unified.data)"
declare -A pairs

# profile EXPORT: pairs on /EXPORT with perf recording the daemon.
profile() {
	local perf_pid p
	bench_lock_run "$1" "$clients" 1 >/dev/null # files and state warm
	perf record -q -e cpu-clock -F 997 -g -p "$pid" -o "$work/$1.data" \
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

profile vfs
profile unified
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
