#!/usr/bin/env bash
# unit.prom_check: the exposition checker of it.metrics (prom_check.py)
# refuses each fault it claims to find and passes a good text.
#   prom_check_test.sh PROM_CHECK_PY
set -uo pipefail
check=$1
failed=0

# expect WANT_RC WHAT < TEXT
expect() {
	local want=$1 what=$2 out rc=0 file
	file=$(mktemp)
	cat >"$file"
	out=$(/usr/bin/python3 "$check" check "$file") || rc=$?
	rm -f "$file"
	if [ "$rc" = "$want" ]; then
		echo "ok - $what: ${out%%$'\n'*}"
	else
		echo "not ok - $what: exit $rc, not $want"
		echo "$out" | sed 's/^/# /'
		failed=1
	fi
}

expect 0 "a counter, a gauge and a histogram" <<'T'
# HELP ulm_x_total Things.
# TYPE ulm_x_total counter
ulm_x_total{op="lock"} 3
# HELP ulm_y Level.
# TYPE ulm_y gauge
ulm_y 1
# HELP ulm_d_seconds Time.
# TYPE ulm_d_seconds histogram
ulm_d_seconds_bucket{le="0.1"} 1
ulm_d_seconds_bucket{le="+Inf"} 2
ulm_d_seconds_sum 0.3
ulm_d_seconds_count 2
T
expect 1 "a counter not named _total" <<'T'
# HELP ulm_x Things.
# TYPE ulm_x counter
ulm_x 3
T
expect 1 "no HELP" <<'T'
# TYPE ulm_y gauge
ulm_y 1
T
expect 1 "a sample of no declared family" <<'T'
ulm_y 1
T
expect 1 "a series twice" <<'T'
# HELP ulm_y Level.
# TYPE ulm_y gauge
ulm_y{a="1"} 1
ulm_y{a="1"} 2
T
expect 1 "buckets not cumulative" <<'T'
# HELP ulm_d_seconds Time.
# TYPE ulm_d_seconds histogram
ulm_d_seconds_bucket{le="0.1"} 3
ulm_d_seconds_bucket{le="+Inf"} 2
ulm_d_seconds_sum 0.3
ulm_d_seconds_count 2
T
expect 1 "+Inf is not _count" <<'T'
# HELP ulm_d_seconds Time.
# TYPE ulm_d_seconds histogram
ulm_d_seconds_bucket{le="0.1"} 1
ulm_d_seconds_bucket{le="+Inf"} 2
ulm_d_seconds_sum 0.3
ulm_d_seconds_count 3
T
expect 1 "a histogram not in seconds" <<'T'
# HELP ulm_d_ms Time.
# TYPE ulm_d_ms histogram
ulm_d_ms_bucket{le="+Inf"} 1
ulm_d_ms_sum 3
ulm_d_ms_count 1
T
printf '# HELP ulm_y Level.\n# TYPE ulm_y gauge\nulm_y 1' |
	expect 1 "no final newline"
expect 1 "not the text format" <<'T'
# HELP ulm_y Level.
# TYPE ulm_y gauge
ulm_y one
T
exit "$failed"
