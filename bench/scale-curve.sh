#!/usr/bin/env bash
# How grant latency and memory grow with the table (issue 25), plotted:
# for each store (memory, LMDB, RADOS on a memstore cluster of its own,
# scripts/ceph-cluster.sh) and each curve, one ulm-scale-curve process
# (node 1, libulm directly) grows the store through sizes 1, 10, ...,
# 100,000 and prints, at each size, grant latency p50/p99 and the
# process's memory, each against the anchor measured first in that same
# process (grant on a fresh file of the empty store; RSS of the empty env):
#
#   locks  locks on one file; the grant is a new lock on that file
#   files  files of 10 locks each; the grant is a lock on a fresh file
#
# The files curve at 100,000 files is 1M locks: its RSS is checked against
# issue 25's target (node RSS <= 256 MB, PASS/MISS). Data files and two
# PNGs (latency vs size, log-log; RSS vs size) go to ULM_CURVE_OUT.
#
#   bench/scale-curve.sh
#
#   ULM_CURVE_OUT=DIR        data and PNGs (default /tmp)
#   ULM_CURVE_MAX=N          largest size (default 100000; 1000 is a quick
#                            run of ~20 s; the 1M-lock figure is
#                            then extrapolated, and labelled so)
#   ULM_CURVE_RADOS_MAX=N    largest files size on RADOS (default 10000: 8
#                            threads fill 10,000 RADOS files in 13-104 s on
#                            2 shared cores, 100,000 take ~13 min; 100000
#                            measures the 1M-lock point there too)
#   ULM_CURVE_STORES="..."   among memory lmdb rados (default all three)
#   ULM_CURVE_PRELOAD=LIB    run the tool with LD_PRELOAD=LIB: another
#                            allocator (e.g. Debian's libjemalloc.so.2;
#                            the heap columns are glibc's, then empty)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${ULM_CURVE_OUT:-/tmp}")
max=${ULM_CURVE_MAX:-100000}
rados_max=${ULM_CURVE_RADOS_MAX:-10000}
read -r -a stores <<<"${ULM_CURVE_STORES:-memory lmdb rados}"
target_kb=$((256 * 1024))
target_files=100000
((max >= 1 && rados_max >= 1)) || {
	echo "scale-curve: ULM_CURVE_MAX, ULM_CURVE_RADOS_MAX: the smallest size is 1" >&2
	exit 2
}

# The sizes up to LIMIT.
sizes_to() {
	local s
	for s in 1 10 100 1000 10000 100000; do
		((s <= $1)) && echo "$s"
	done
}

build=$(ULM_BUILD_DIR=${ULM_BUILD_DIR:-$root/build} "$root/scripts/build.sh")
tool=$build/bench/curve/ulm-scale-curve
# shellcheck source=../scripts/lib/ceph.sh
. "$root/scripts/lib/ceph.sh"
work=$(mktemp -d /tmp/ulm-scale-curve.XXXXXX)
trap '[ -f "$work/ceph/netns" ] && ceph_stop "$work/ceph"; rm -rf "$work"' EXIT
mkdir -p "$out"

# One process: STORE's CURVE, printed and kept in the data file.
run_curve() {
	local store=$1 curve=$2 data="$out/scale-curve-$1-$2.dat"
	local tool=(env ${ULM_CURVE_PRELOAD:+"LD_PRELOAD=$ULM_CURVE_PRELOAD"} "$tool")
	local sizes limit=$max
	[ "$store-$curve" = rados-files ] && ((rados_max < max)) && limit=$rados_max
	mapfile -t sizes < <(sizes_to "$limit")
	case $store in
	memory) "${tool[@]}" memory "$curve" "${sizes[@]}" ;;
	lmdb) "${tool[@]}" "lmdb:$work/lmdb-$curve" "$curve" "${sizes[@]}" ;;
	rados) ceph_exec "$work/ceph" "${tool[@]}" \
		"rados:$CEPH_POOL/curve-$curve" "$curve" "${sizes[@]}" ;;
	esac | tee "$data"
}

# The files curve's RSS at 100,000 files (1M locks) against the target;
# measured, or extrapolated linearly from the last two sizes.
verdict() {
	local store=$1
	awk -v store="$store" -v want=$target_files -v target=$target_kb '
		!/^#/ {
			prev_n = n; prev_rss = rss; prev_anon = anon
			n = $1; rss = $6; anon = $8
		}
		END {
			how = "measured"
			if (n != want) {
				rss += (rss - prev_rss) / (n - prev_n) * (want - n)
				anon += (anon - prev_anon) / (n - prev_n) * (want - n)
				how = sprintf("EXTRAPOLATED from %d and %d files", prev_n, n)
			}
			printf "%-7s node RSS at 1M locks over 100k files: %4d MB, %4d MB" \
				" anonymous (%s)  target <= %d MB  %s\n", store, rss / 1024,
				anon / 1024, how, target / 1024, rss <= target ? "PASS" : "MISS"
		}' "$out/scale-curve-$store-files.dat"
}

# gnuplot: WHAT is latency or rss, one panel a curve, one colour a store
# (solid p50 or RSS, dashed p99 or the anonymous part of RSS).
declare -A colour=([memory]='#8040c0' [lmdb]='#2080d0' [rados]='#e08000')
plot_lines() {
	local curve=$1 y1=$2 y2=$3 label1=$4 label2=$5 s data
	for s in "${stores[@]}"; do
		data="$out/scale-curve-$s-$curve.dat"
		printf "'%s' using (\$1>0?\$1:1/0):%s with linespoints lc '%s' title '%s %s', " \
			"$data" "$y1" "${colour[$s]}" "$s" "$label1"
		printf "'%s' using (\$1>0?\$1:1/0):%s with linespoints dt 2 lc '%s' title '%s %s', " \
			"$data" "$y2" "${colour[$s]}" "$s" "$label2"
	done
}

plot() {
	local what=$1 png="$out/scale-curve-$1.png" curve title
	local heading="grant latency"
	[ "$what" = rss ] && heading="memory"
	{
		echo "set terminal pngcairo noenhanced size 800,500 font ',9'"
		echo "set output '$png'"
		echo "set multiplot layout 1,2 title 'libulm, one node in one process: $heading as the table grows ($(date -u +%F))'"
		echo "set logscale x; set grid; set key top left"
		for curve in locks files; do
			title="locks on one file (grant: one more)"
			[ $curve = files ] && title="files of 10 locks (grant on a fresh file)"
			echo "set title '$title'; set xlabel '$curve (log)'"
			if [ "$what" = latency ]; then
				echo "set logscale y; set ylabel 'grant latency, us (log)'"
				echo "plot $(plot_lines $curve 2 3 p50 p99)"
			else
				echo "set ylabel 'process memory, MB'; set yrange [0:*]"
				printf 'plot '
				[ $curve = files ] && printf "%d title 'target at 100k files' dt 3 lc 'red', " \
					$((target_kb / 1024))
				# shellcheck disable=SC2016 # gnuplot's columns
				plot_lines $curve '($6/1024)' '($8/1024)' RSS anon
				echo
			fi
		done
		echo "unset multiplot"
	} | sed 's/, $//' >"$work/$what.gp"
	gnuplot "$work/$what.gp"
	echo "scale-curve: wrote $png"
}

case " ${stores[*]} " in
*" rados "*)
	ceph_start "$work/ceph" "curve" memstore
	echo "cluster: one mon, one osd (memstore), pool $CEPH_POOL; $(nproc) cores"
	;;
esac
for store in "${stores[@]}"; do
	for curve in locks files; do
		run_curve "$store" "$curve"
	done
done
for store in "${stores[@]}"; do
	verdict "$store"
done
plot latency
plot rss
